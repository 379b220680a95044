/**
 * A QR code on a canvas, so a phone can open a link by pointing its camera at the screen (the call
 * page's "Share this room"). The code comes from the `qrcode` package (`QRCode.create`); this module
 * only paints its modules: black on white with a 4-module quiet zone, as the QR standard asks.
 *
 * @see https://github.com/soldair/node-qrcode#createtext-options
 * @see https://developer.mozilla.org/en-US/docs/Web/API/CanvasRenderingContext2D/fillRect
 */
import QRCode from 'qrcode';

/**
 * Draws `text` into `canvas` (error correction M), `scale` canvas pixels per module, and names the
 * canvas for screen readers (`role="img"`, `aria-label`).
 * @throws Error from `qrcode` when `text` is too long for a QR code.
 */
export function drawQr(canvas: HTMLCanvasElement, text: string, scale = 6): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const margin = 4;
  const side = (modules.size + 2 * margin) * scale;
  canvas.width = side;
  canvas.height = side;
  canvas.dataset.text = text;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `QR code of ${text}`);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, side, side);
  ctx.fillStyle = '#000';
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) ctx.fillRect((col + margin) * scale, (row + margin) * scale, scale, scale);
    }
  }
}
