/**
 * The WebSocket side of the server: the handshake checks (path, Origin, connection caps), and per
 * socket the rate limit, backpressure and heartbeat, around the transport-independent {@link Relay}.
 *
 * Close codes it uses: 1008 (policy: kept flooding past the rate limit), 1013 (try again later:
 * the server or the address is at its cap, or the client stopped reading and its backlog passed the
 * cap), 1001 (server shutting down); `ws` itself closes with 1009 (frame too big), 1007 (invalid
 * UTF-8) and 1002 (protocol error).
 *
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { encodeMessage, MAX_FRAME_BYTES, parseClientMessage } from '../src/signaling/protocol';
import type { Member, RelayConnection } from '../src/signaling/relay';
import type { SignalingRelay } from './relay-backend';
import {
  clientAddress,
  ConnectionLimits,
  frameCost,
  ROOM_CHANGE_COST,
  SocketRateLimit,
  type ConnectionRefusal,
  type SignalerLimits,
} from './limits';
import type { OriginPolicy } from './origin';
import { spliceSignal, type SplicedSignal } from './relay-frame';

/** The WebSocket path of the signaler. */
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

/** The URL path the signaling WebSocket is served on: `wss://host:port/ws`. @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/WebSocket */
export const SIGNALING_PATH = '/ws';

/** Close code for "kept flooding past the rate limit" (policy violation). */
export const CLOSE_RATE_LIMIT = 1008;
/** Close code for "try again later": server or address at its cap, or a recipient that stopped reading. */
export const CLOSE_TRY_AGAIN = 1013;

/** Options of {@link createSignaler}. */
export interface SignalerOptions {
  relay: SignalingRelay;
  limits: SignalerLimits;
  origins: OriginPolicy;
  /** Count connections against the last `X-Forwarded-For` address (behind a reverse proxy only). */
  trustProxy: boolean;
  /** Ping interval in ms; a socket that did not answer the previous ping is dropped. */
  heartbeatMs: number;
  /** Where refusals and cut-offs are reported (one line each). */
  log: (line: string) => void;
  /** Also log socket errors (`--verbose`). */
  verbose: boolean;
}

/** Counters of a running signaler, for tests, the benchmark and logs. */
export interface SignalerStats {
  /** Open (admitted) connections. */
  connections: number;
  /** Rooms with at least one peer. */
  rooms: number;
  /** Heartbeat rounds run so far. */
  heartbeats: number;
  /** Handshakes refused with 403 for their Origin. */
  refusedOrigin: number;
  /** Connections refused with `server-full` or `too-many-connections`. */
  refusedCap: number;
  /** Sockets closed with 1008 for flooding. */
  closedRateLimit: number;
  /** Recipients disconnected with 1013 because their backlog passed the cap. */
  closedBackpressure: number;
  /** Sockets dropped because they did not answer a ping. */
  closedHeartbeat: number;
}

/** The signaler as the HTTPS server drives it. */
export interface Signaler {
  /** Handles an HTTP `upgrade` event (any path; only {@link SIGNALING_PATH} is upgraded). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): SignalerStats;
  /** Closes every socket with 1001 and stops the heartbeat; sockets still open after 500 ms are terminated. */
  close(): void;
}

/**
 * One admitted socket, and the relay's way to reach it. Its methods live on the prototype: no
 * closures per connection (memory per idle connection counts at thousands of them).
 */
class Connection implements RelayConnection {
  /** Null once closed: a peer held for a resume must not keep its dead socket (and TLS state) alive. */
  ws: WebSocket | null;
  member: Member | null = null;
  alive = true;
  cut = false;
  readonly address: string;
  readonly rate: SocketRateLimit;
  readonly #deliver: (conn: Connection, data: string | Uint8Array) => void;

  constructor(ws: WebSocket, address: string, rate: SocketRateLimit, deliver: (conn: Connection, data: string | Uint8Array) => void) {
    this.ws = ws;
    this.address = address;
    this.rate = rate;
    this.#deliver = deliver;
  }

  send(text: string): void {
    this.#deliver(this, text);
  }

  sendBytes(frame: Uint8Array): void {
    this.#deliver(this, frame);
  }

  close(code: number, reason: string): void {
    this.ws?.close(code, reason);
  }
}

/** `error` listener of a socket when errors are not logged (`ws` needs one: an unhandled `error` would throw). */
const ignoreError = (): void => undefined;

const REASONS: Record<ConnectionRefusal, string> = {
  'server-full': 'the server holds its maximum number of connections; try again later',
  'too-many-connections': 'too many connections from your address; close other tabs and try again',
};

function abortHandshake(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => socket.destroy());
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
  }
  socket.destroy();
}

/**
 * Closes with `code` and terminates the socket if the close handshake has not finished in `graceMs`
 * (the close frame waits behind whatever is still queued, so a reader gets that long to catch up).
 */
function closeSoon(ws: WebSocket, code: number, reason: string, graceMs = 1000): void {
  ws.close(code, reason);
  setTimeout(() => {
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }, graceMs).unref();
}

/** `ws.send` options: every frame the signaler sends is a text frame, bytes included (UTF-8 JSON). */
const TEXT_FRAME = { binary: false } as const;

/** How long a recipient cut off for its backlog may still read it (and the 1013) before it is terminated. */
export const BACKLOG_GRACE_MS = 5000;

/** Creates the signaler; attach {@link Signaler.upgrade} to the HTTPS server's `upgrade` event. */
export function createSignaler(options: SignalerOptions): Signaler {
  const { relay, limits, log } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  const connections = new ConnectionLimits(limits);
  const open = new Set<Connection>();
  const counts = { heartbeats: 0, refusedOrigin: 0, refusedCap: 0, closedRateLimit: 0, closedBackpressure: 0, closedHeartbeat: 0 };
  const originLogged = new Map<string, number>();

  const logOrigin = (origin: string, address: string): void => {
    const now = Date.now();
    if ((originLogged.get(origin) ?? 0) > now - 60_000) return;
    if (originLogged.size >= 1000) originLogged.clear();
    originLogged.set(origin, now);
    log(`[signaler] refused a WebSocket from ${address} with Origin ${JSON.stringify(origin)} (403): not this server's own origin. To allow that site, start with --allow-origin ${origin}`);
  };

  const cutOff = (conn: Connection, code: number, reason: string, graceMs?: number): void => {
    if (conn.cut) return;
    conn.cut = true;
    const id = conn.member?.id ?? 'unjoined';
    log(`[signaler] closed ${id} from ${conn.address} (${code}): ${reason}`);
    if (conn.ws) closeSoon(conn.ws, code, reason, graceMs);
    // Tell the room now, not when the close handshake ends (a client that does not read never answers).
    const member = conn.member;
    if (member) queueMicrotask(() => relay.disconnect(member));
  };

  const deliver = (conn: Connection, data: string | Uint8Array): void => {
    const ws = conn.ws;
    if (conn.cut || ws === null || ws.readyState !== WebSocket.OPEN) return;
    ws.send(data, TEXT_FRAME);
    if (ws.bufferedAmount <= limits.maxBufferedBytes) return;
    counts.closedBackpressure++;
    cutOff(conn, CLOSE_TRY_AGAIN, `not reading: over ${limits.maxBufferedBytes} bytes waiting to be sent`, BACKLOG_GRACE_MS);
  };

  const onMessage = (conn: Connection, member: Member, data: RawData, isBinary: boolean): void => {
    if (conn.cut) return;
    const bytes = Buffer.isBuffer(data) ? data.length : MAX_FRAME_BYTES;
    let verdict = conn.rate.charge(frameCost(bytes));
    // Fast path: a canonical candidate or bye for a connected peer is checked by one regular
    // expression, never parsed, and goes out as the sender's own bytes with `from` spliced in (./relay-frame).
    let spliced: SplicedSignal | null = null;
    if (verdict === 'ok' && !isBinary && Buffer.isBuffer(data)) {
      spliced = spliceSignal(data, member.id);
      if (spliced !== null && relay.forward?.(member, spliced.to, spliced.frame)) return;
    }
    if (verdict === 'ok' && isBinary) {
      relay.refuse(member, 'bad-message', 'binary frames are not accepted; send JSON text');
      return;
    }
    const text = verdict === 'ok' ? textOf(data) : '';
    const parsed = verdict === 'ok' ? parseClientMessage(text) : null;
    if (parsed?.ok && (parsed.message.type === 'join' || parsed.message.type === 'leave')) {
      verdict = conn.rate.charge(ROOM_CHANGE_COST - 1);
    }
    if (verdict === 'close') {
      counts.closedRateLimit++;
      cutOff(conn, CLOSE_RATE_LIMIT, 'kept sending past the rate limit');
      return;
    }
    if (verdict === 'limited' || parsed === null) {
      relay.refuse(member, 'rate-limited', `too many messages: at most ${limits.messagesPerSecond} per second (bursts of ${limits.messageBurst}); slow down`);
      return;
    }
    if (!parsed.ok) {
      relay.refuse(member, parsed.error.code, parsed.error.message);
      return;
    }
    relay.handle(member, parsed.message, spliced?.frame);
  };

  const accept = (ws: WebSocket, address: string): void => {
    // Malformed frames (ws closes with 1002/1007/1009), resets: never fatal.
    ws.on('error', options.verbose ? (err: Error) => log(`[signaler] socket error from ${address}: ${err.message}`) : ignoreError);
    const conn = new Connection(ws, address, new SocketRateLimit(limits), deliver);
    const member = relay.connect(conn);
    conn.member = member;
    open.add(conn);
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => onMessage(conn, member, data, isBinary));
    // A close frame from the client (1000, 1001 tab closed, 1005 no code) is a goodbye; anything
    // else (1006 dropped, heartbeat timeout) may come back with its resume token. A socket we cut
    // off ourselves has already left its room (cutOff).
    ws.on('close', (code) => {
      conn.ws = null;
      open.delete(conn);
      connections.release(address);
      relay.disconnect(member, { clean: code === 1000 || code === 1001 || code === 1005 });
    });
  };

  const refuse = (ws: WebSocket, refusal: ConnectionRefusal): void => {
    ws.on('error', () => undefined);
    counts.refusedCap++;
    ws.send(encodeMessage({ type: 'error', code: refusal, message: REASONS[refusal] }));
    closeSoon(ws, CLOSE_TRY_AGAIN, refusal);
  };

  const heartbeat = setInterval(() => {
    counts.heartbeats++;
    for (const conn of open) {
      if (!conn.alive) {
        counts.closedHeartbeat++;
        conn.ws?.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws?.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  return {
    upgrade(req, socket, head) {
      const path = (req.url ?? '').split('?', 1)[0];
      if (path !== SIGNALING_PATH) {
        abortHandshake(socket, 404, 'Not Found');
        return;
      }
      const origin = req.headers.origin;
      if (!options.origins.allows(origin)) {
        counts.refusedOrigin++;
        logOrigin(String(origin), clientAddress(req, options.trustProxy));
        abortHandshake(socket, 403, 'Forbidden');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const address = clientAddress(req, options.trustProxy);
        const refusal = connections.admit(address);
        if (refusal) {
          refuse(ws, refusal);
          return;
        }
        accept(ws, address);
      });
    },
    stats() {
      return { connections: connections.total, rooms: relay.rooms().length, ...counts };
    },
    close() {
      clearInterval(heartbeat);
      for (const conn of open) conn.ws?.close(1001, 'server shutting down');
      setTimeout(() => {
        for (const conn of open) conn.ws?.terminate();
      }, 500).unref();
      wss.close();
    },
  };
}
