/**
 * The playground server: one HTTPS port that serves the built pages and `public/`, with the
 * `ws` signaler on `/ws` of the same port (wss). `server/main.ts` is the command line around it;
 * tests start it on port 0.
 *
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { RelayTrace } from '../src/signaling/relay';
import type { CertificatePair } from './cert';
import { redirectPlainHttp } from './http-redirect';
import { DEFAULT_LIMITS, type SignalerLimits } from './limits';
import { createOriginPolicy } from './origin';
import { createRelay, type ClusterSettings, type SignalingRelay } from './relay-backend';
import { HmacResumeTokens, resumeSecretFromKey } from './resume-tokens';
import { createSignaler, type SignalerStats } from './signaler';
import { createStaticSite, type BuildAnnouncement } from './static';

export { textOf } from './signaler';
import { handleTurnApi, type TurnService } from './turn';

/** Default heartbeat interval in ms: a silent peer is dropped within two of them. */
export const DEFAULT_HEARTBEAT_MS = 30_000;

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
  /**
   * Heartbeat interval in ms: every interval each socket is pinged, and one that did not answer the
   * previous ping is terminated, so a silent peer is dropped within two intervals. Default 30 000.
   */
  heartbeatMs?: number;
  /**
   * Origins (besides the server's own Local/Network URLs) whose pages may open the signaler,
   * e.g. `https://class.example.org`; `*` allows any. Handshakes without `Origin` are always allowed.
   */
  allowOrigins?: string[];
  /** Count connections per address by the last `X-Forwarded-For` entry (only behind your own reverse proxy). */
  trustProxy?: boolean;
  /** Connection, room, rate and backlog limits; unset ones take {@link DEFAULT_LIMITS}. */
  limits?: Partial<SignalerLimits>;
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
  /** Cluster mode: share rooms with other processes through Redis (`--redis URL`). Default: rooms in memory. */
  cluster?: ClusterSettings;
  /** The TURN server `GET /api/turn` hands credentials for, read per request (null: TURN off, 404). */
  turn?: () => TurnService | null;
  /** Where refusals and cut-offs are logged, one line each. Default `console.warn`. */
  log?: (line: string) => void;
}

/** A running playground server. */
export interface PlaygroundServer {
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  /** `https://localhost:<port>/` */
  readonly url: string;
  /** The room relay (in memory, or through Redis in cluster mode), for inspection in tests. */
  readonly relay: SignalingRelay;
  /** The limits in force (defaults filled in). */
  readonly limits: Readonly<SignalerLimits>;
  /** Counters of the signaler (connections, rooms, refusals, cut-offs, heartbeat rounds). */
  stats(): SignalerStats;
  /**
   * Dev mode: tells every open page that a build ended (`build` event: the page reloads, or shows
   * the errors over itself), and remembers it for pages that connect later (`state` event).
   * @param build the build's duration in ms and its errors (`file:line:column: text`), none when it succeeded
   */
  announceBuild(build: BuildAnnouncement): void;
  /** Closes every WebSocket (1001 "going away") and the HTTP server. Resolves when closed. */
  close(): Promise<void>;
}

/**
 * Starts the HTTPS + wss server.
 * @throws TypeError when an option is invalid (e.g. an `allowOrigins` entry that is not an origin).
 * @throws the listen error (e.g. `EADDRINUSE`) when the port cannot be bound.
 */
export async function startPlaygroundServer(options: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const limits: SignalerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const relay = await createRelay({
    capacity: options.capacity ?? 2,
    maxRooms: limits.maxRooms,
    onTrace: options.onTrace,
    resumeGraceMs: options.resumeGraceMs ?? 20_000,
    resumeTokens: new HmacResumeTokens(options.resumeSecret ?? resumeSecretFromKey(options.tls.key)),
    cluster: options.cluster,
  });
  const site = createStaticSite(options.staticDirs, options.dev ?? false, (req, res) => handleTurnApi(req, res, options.turn?.() ?? null));
  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => site.handle(req, res));

  // The TCP listener: TLS goes to `server`, a plain http:// request gets a redirect to https://.
  const listener = redirectPlainHttp(server);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port ?? 8443, options.host, () => {
      listener.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await relay.close();
    throw err;
  });
  // Node's HTTP server starts tracking its connections (what closeIdleConnections and
  // closeAllConnections close, and the headersTimeout / requestTimeout checks that cut off slow
  // clients) on its own 'listening' event. `server` never listens: `listener` hands it the sockets.
  server.emit('listening');
  // Every TCP connection, also one still in its TLS handshake or before its first byte (not yet the
  // HTTP server's): close() cuts what is left after a grace period, so it always resolves.
  const sockets = new Set<Socket>();
  listener.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  listener.on('error', (err) => console.error('[server] error:', err.message));
  server.on('error', (err) => console.error('[server] error:', err.message));
  const port = (listener.address() as AddressInfo).port;

  let origins;
  try {
    origins = createOriginPolicy({ port, host: options.host, allow: options.allowOrigins });
  } catch (err) {
    listener.close();
    await relay.close();
    throw err;
  }
  const signaler = createSignaler({
    relay,
    limits,
    origins,
    trustProxy: options.trustProxy ?? false,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    log: options.log ?? ((line) => console.warn(line)),
    verbose: options.onTrace !== undefined,
  });
  server.on('upgrade', (req, socket, head) => signaler.upgrade(req, socket, head));

  let closing: Promise<void> | null = null;
  return {
    port,
    url: `https://localhost:${port}/`,
    relay,
    limits,
    stats: () => signaler.stats(),
    announceBuild: (build) => site.announceBuild(build),
    close() {
      closing ??= new Promise<void>((resolve) => {
        site.close();
        const relayClosed = relay.close();
        signaler.close();
        listener.close(() => void relayClosed.then(resolve));
        // Stops the connection checks and closes idle keep-alive connections; busy ones get 500 ms.
        server.close();
        setTimeout(() => {
          server.closeAllConnections();
          for (const socket of sockets) socket.destroy();
        }, 500).unref();
      });
      return closing;
    },
  };
}
