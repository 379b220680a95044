/**
 * Decoding the QR code `npm start` prints in the terminal (server/terminal-qr.ts), for tests.
 */
import jsQR from 'jsqr';

/**
 * Reads a QR code drawn with half blocks (with or without ANSI colours) back into pixels, 4 px per
 * module, and decodes it.
 * @returns the decoded text, or null when no QR code is found.
 */
export function decodeTerminalQr(text: string): string | null {
  const rows = text.split('\x1b[30;47m').join('').split('\x1b[0m').join('').split('\n').filter((l) => /[█▀▄]/.test(l) || /^\s+$/.test(l));
  // The QR characters are single UTF-16 code units: split('') keeps one module column per cell.
  const cells = rows.map((l) => l.replace(/^ {2}/, '').split(''));
  const width = Math.max(...cells.map((r) => r.length));
  const scale = 4;
  const w = (width + 4) * scale;
  const h = (cells.length * 2 + 4) * scale;
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  cells.forEach((line, r) => line.forEach((ch, c) => {
    const top = ch === '█' || ch === '▀';
    const bottom = ch === '█' || ch === '▄';
    for (const [dark, half] of [[top, 0], [bottom, 1]] as const) {
      if (!dark) continue;
      for (let y = 0; y < scale; y++) for (let x = 0; x < scale; x++) {
        const i = (((r * 2 + half + 2) * scale + y) * w + (c + 2) * scale + x) * 4;
        data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }));
  return jsQR(data, w, h)?.data ?? null;
}
