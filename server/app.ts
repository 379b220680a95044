/**
 * The playground server: one HTTPS port that serves the built pages and `public/`, with the
 * `ws` signaler on `/ws` of the same port (wss). `server/main.ts` is the command line around it;
 * tests start it on port 0.
 *
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import serveStatic from 'serve-static';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { MAX_FRAME_BYTES } from '../src/signaling/protocol';
import { Relay, type Member, type RelayTrace } from '../src/signaling/relay';
import type { CertificatePair } from './cert';
import { HmacResumeTokens, resumeSecretFromKey } from './resume-tokens';
import { handleTurnApi, type TurnService } from './turn';

/** Options of {@link startPlaygroundServer}. */
export interface PlaygroundServerOptions {
  /** TLS certificate and key (PEM). */
  tls: CertificatePair;
  /** TCP port; 0 picks a free one. Default 8443. */
  port?: number;
  /** Address to listen on. Default all interfaces (`::` / `0.0.0.0`), so a phone on the LAN can join. */
  host?: string;
  /** Folders served as static files, first match wins (e.g. `public/`, `dist/`). */
  staticDirs: string[];
  /** Most peers per room. Default 2. */
  capacity?: number;
  /** Heartbeat interval in ms: a socket that did not answer the previous ping is terminated. Default 30 000. */
  heartbeatMs?: number;
  /** Development mode: no caching, and `/__dev/events` (server-sent events) announces builds ({@link PlaygroundServer.announceBuild}). */
  dev?: boolean;
  /**
   * How long (ms) the room place of a peer whose connection dropped is kept for a resume
   * (`join {room, resume}`). Default 20 000; 0 turns resume off (`peer-left` at once).
   */
  resumeGraceMs?: number;
  /**
   * Secret that signs resume tokens (≥ 16 bytes). Default: derived from `tls.key`, so tokens stay
   * valid across restarts with the same certificate. Processes sharing rooms must share it.
   */
  resumeSecret?: Uint8Array | string;
  /** Called for every signaling frame handled (for `--verbose` logs and tests). */
  onTrace?: (event: RelayTrace) => void;
  /** The TURN server `GET /api/turn` hands credentials for, read per request (null: TURN off, 404). */
  turn?: () => TurnService | null;
}

/** A running playground server. */
export interface PlaygroundServer {
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  /** `https://localhost:<port>/` */
  readonly url: string;
  /** The room relay, for inspection in tests. */
  readonly relay: Relay;
  /**
   * Dev mode: tells every open page that a build ended (`build` event: the page reloads, or shows
   * the errors over itself), and remembers it for pages that connect later (`state` event).
   * @param build the build's duration in ms and its errors (`file:line:column: text`), none when it succeeded
   */
  announceBuild(build: { ms: number; errors: string[] }): void;
  /** Closes every WebSocket (1001 "going away") and the HTTP server. Resolves when closed. */
  close(): Promise<void>;
}

/**
 * The UTF-8 text of a WebSocket frame as `ws` hands it over (a Buffer, a Buffer list for fragments,
 * or an ArrayBuffer with `binaryType: 'arraybuffer'`).
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md#event-message
 */
export function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

interface LiveSocket extends WebSocket {
  isAlive?: boolean;
}

/**
 * Starts the HTTPS + wss server.
 * @throws the listen error (e.g. `EADDRINUSE`) when the port cannot be bound.
 */
export async function startPlaygroundServer(options: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const dev = options.dev ?? false;
  const relay = new Relay({
    capacity: options.capacity ?? 2,
    onTrace: options.onTrace,
    resumeGraceMs: options.resumeGraceMs ?? 20_000,
    resumeTokens: new HmacResumeTokens(options.resumeSecret ?? resumeSecretFromKey(options.tls.key)),
  });
  const handlers = options.staticDirs.map((dir) =>
    serveStatic(dir, {
      dotfiles: 'ignore',
      extensions: ['html'],
      index: ['index.html'],
      fallthrough: true,
      redirect: false,
      etag: true,
      maxAge: 0,
      setHeaders: (res) => {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (dev) res.setHeader('Cache-Control', 'no-store');
      },
    }),
  );
  const reloadClients = new Set<ServerResponse>();
  let lastBuild: { ms: number; errors: string[] } = { ms: 0, errors: [] };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (dev && req.url === '/__dev/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(`event: state\ndata: ${JSON.stringify(lastBuild)}\n\n`);
      reloadClients.add(res);
      req.on('close', () => reloadClients.delete(res));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    if (handleTurnApi(req, res, options.turn?.() ?? null)) return;
    const notFound = () => {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    };
    // serve-static calls next() when a folder has no such file (or the request is a traversal
    // attempt it refuses), and next(err) for read errors: never an unhandled stream error.
    const chain = handlers.reduceRight<(err?: unknown) => void>(
      (next, serve) => (err?: unknown) => {
        if (err) {
          failed(err);
          return;
        }
        serve(req, res, next);
      },
      (err?: unknown) => (err ? failed(err) : notFound()),
    );
    const failed = (err: unknown) => {
      const status = (err as { status?: number }).status ?? 500;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status >= 400 && status < 500 ? 404 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(status >= 400 && status < 500 ? 'Not found\n' : 'Server error\n');
    };
    chain();
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, handle);
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: MAX_FRAME_BYTES });
  wss.on('error', (err) => console.error('[signaler] server error:', err.message));

  wss.on('connection', (ws: LiveSocket) => {
    ws.on('error', (err) => {
      // Malformed frames, too-large payloads (ws closes with 1009), resets: never fatal.
      if (options.onTrace === undefined) return;
      console.error('[signaler] socket error:', err.message);
    });
    ws.isAlive = true;
    ws.on('pong', () => {
      ws.isAlive = true;
    });
    const member: Member = relay.connect({
      send: (text) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      },
      close: (code, reason) => ws.close(code, reason),
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        relay.refuse(member, 'bad-message', 'binary frames are not accepted; send JSON text');
        return;
      }
      relay.receive(member, textOf(data));
    });
    // A close frame from the client (1000, 1001 tab closed, 1005 no code) is a goodbye; anything
    // else (1006 dropped, heartbeat timeout) may come back with its resume token.
    ws.on('close', (code) => relay.disconnect(member, { clean: code === 1000 || code === 1001 || code === 1005 }));
  });

  const heartbeat = setInterval(() => {
    for (const client of wss.clients as Set<LiveSocket>) {
      if (client.isAlive === false) {
        client.terminate();
        continue;
      }
      client.isAlive = false;
      client.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8443, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => console.error('[server] error:', err.message));
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    port,
    url: `https://localhost:${port}/`,
    relay,
    announceBuild(build) {
      lastBuild = build;
      for (const res of reloadClients) res.write(`event: build\ndata: ${JSON.stringify(build)}\n\n`);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        relay.close();
        for (const res of reloadClients) res.end();
        for (const client of wss.clients) client.close(1001, 'server shutting down');
        wss.close();
        server.close(() => resolve());
        setTimeout(() => {
          for (const client of wss.clients) client.terminate();
          server.closeAllConnections();
        }, 500).unref();
      });
      return closing;
    },
  };
}
