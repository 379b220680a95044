/**
 * A QR code in the terminal, so a phone can join by pointing its camera at the screen that runs
 * `npm start`. The code comes from the `qrcode` package (its matrix, `QRCode.create`); it is drawn
 * with half-block characters, two modules per character cell, dark on an explicit light background
 * (ANSI colours) so it scans in dark and light terminals alike.
 *
 * @see https://github.com/soldair/node-qrcode#createtext-options
 */
import QRCode from 'qrcode';

/** Options of {@link terminalQr}. */
export interface TerminalQrOptions {
  /** Paint the light background and dark foreground with ANSI colours (for a TTY). Default true. */
  color?: boolean;
  /** Light modules around the code (the quiet zone), in modules. Default 2. */
  margin?: number;
}

/** The characters for (top dark, bottom dark) module pairs. */
const CELLS = [' ', '▄', '▀', '█'] as const;

/**
 * Draws `text` as a QR code (error correction M) in text lines, one per two module rows.
 * @throws Error from `qrcode` when `text` is too long for a QR code.
 */
export function terminalQr(text: string, options: TerminalQrOptions = {}): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const margin = options.margin ?? 2;
  const size = modules.size;
  const dark = (row: number, col: number) =>
    row >= 0 && col >= 0 && row < size && col < size && Boolean(modules.get(row, col));
  const lines: string[] = [];
  for (let row = -margin; row < size + margin; row += 2) {
    let line = '';
    for (let col = -margin; col < size + margin; col++) {
      line += CELLS[(dark(row, col) ? 2 : 0) + (dark(row + 1, col) ? 1 : 0)];
    }
    lines.push(options.color ?? true ? `\x1b[30;47m${line}\x1b[0m` : line);
  }
  return lines.join('\n');
}

/** What {@link readyBanner} prints. */
export interface ReadyBannerOptions {
  /** The port the server listens on. */
  port: number;
  /** Peers per room. */
  capacity: number;
  /** Said after the room size, e.g. `, cluster mode through Redis`. */
  mode?: string;
  /** LAN IP addresses a phone can reach (may be empty). */
  network: string[];
  /** ANSI colours for the QR code (a TTY). */
  color: boolean;
  /** More lines printed after the URLs and the QR code (e.g. the TURN server's). */
  extra?: string[];
}

/**
 * The text `npm start` prints once listening: the Local and Network URLs and, when there is a
 * Network URL, a QR code of the first one for phones, then the certificate hint.
 */
export function readyBanner(options: ReadyBannerOptions): string {
  const urls = options.network.map((ip) => `https://${ip.includes(':') ? `[${ip}]` : ip}:${options.port}/`);
  const lines = [
    '',
    `  webrtc-playground ready (rooms of ${options.capacity}${options.mode ?? ''})`,
    '',
    `  ➜  Local:   https://localhost:${options.port}/`,
    ...urls.map((url) => `  ➜  Network: ${url}`),
  ];
  const first = urls[0];
  if (first) {
    lines.push('', `  Scan to open ${first} on a phone on the same network:`, '', terminalQr(first, { color: options.color }).replace(/^/gm, '  '));
  } else {
    lines.push('', '  No network address found: only this machine can open the playground.');
  }
  lines.push(...(options.extra ?? []));
  lines.push('', '  The certificate is self-signed: the browser warns once; choose "Advanced" → "Proceed".', '');
  return lines.join('\n');
}
