/**
 * One port, two protocols: a plain `http://` request that reaches the HTTPS port gets a redirect to
 * the same URL over `https://` instead of an empty reply. Each new connection's first byte decides:
 * 0x16 starts a TLS handshake (the HTTPS server takes the connection), anything else is plain HTTP
 * (a tiny HTTP server answers 307 with `Location: https://…`). The byte is put back before the
 * connection is handed on, so neither server sees a difference.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8446#section-5.1 (TLS record: content type 22 = handshake)
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/307
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

/** First byte of a TLS record carrying a handshake (ClientHello). */
const TLS_HANDSHAKE = 0x16;

/** A `Host` header we are willing to echo into a Location: a DNS name or IP literal, optional port. */
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The `https://` URL a plain-http request should go to, or null when its Host header is missing or
 * not a plain host[:port] (untrusted input: never echoed unchecked).
 * @param host the request's `Host` header.
 * @param path the request target (`req.url`); anything but an origin-form path becomes `/`.
 */
export function httpsLocation(host: string | undefined, path: string | undefined): string | null {
  if (!host || host.length > 300 || !HOST_RE.test(host)) return null;
  const target = path && path.startsWith('/') && !path.startsWith('//') ? path : '/';
  return `https://${host}${target}`;
}

function redirect(req: IncomingMessage, res: ServerResponse): void {
  const location = httpsLocation(req.headers.host, req.url);
  res.setHeader('Connection', 'close');
  if (!location) {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('This port speaks HTTPS: open it with https://\n');
    return;
  }
  res.writeHead(307, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' }).end(`This port speaks HTTPS: ${location}\n`);
}

/** Options of {@link redirectPlainHttp}. */
export interface PlainHttpRedirectOptions {
  /** A connection that sends nothing for this long is closed, ms. Default 10 000. */
  firstByteTimeoutMs?: number;
}

/**
 * Wraps `tlsServer` (not listening itself) in a TCP server to `listen()` on instead: TLS
 * connections go to `tlsServer`, plain HTTP ones get a 307 to `https://` (400 for a bad Host).
 * @returns the TCP server; close it to stop listening.
 */
export function redirectPlainHttp(tlsServer: HttpsServer, options: PlainHttpRedirectOptions = {}): NetServer {
  const plain = createHttpServer(redirect);
  plain.on('clientError', (_err, socket) => socket.destroy());
  const timeout = options.firstByteTimeoutMs ?? 10_000;
  return createNetServer((socket: Socket) => {
    const onError = () => socket.destroy();
    socket.on('error', onError);
    // A timer of our own, not socket.setTimeout: that one's timer and listener would stay on the
    // socket for as long as the connection lives (the TLS socket keeps it as its parent).
    const silent = setTimeout(onError, timeout).unref();
    socket.once('data', (first: Buffer) => {
      socket.pause();
      clearTimeout(silent);
      socket.off('error', onError);
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? tlsServer : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
}
