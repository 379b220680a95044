/**
 * A `ws` client for the limit, backpressure and fuzz tests against the real signaler (Origin and headers settable): queues every server message so a test can
 * `await next()` in order, and records how the connection closed.
 */
import { WebSocket } from 'ws';
import { textOf } from '../../server/app';
import type { ServerMessage } from '../../src/signaling/protocol';

/** Options of a {@link TestClient}. */
export interface TestClientOptions {
  /** Answer pings (default true); false simulates a silent peer. */
  autoPong?: boolean;
  /** `Origin` header to send (none by default, like a command-line tool). */
  origin?: string;
  /** Extra handshake headers (e.g. `X-Forwarded-For`). */
  headers?: Record<string, string>;
}

/** A queued test client. */
export class TestClient {
  readonly ws: WebSocket;
  readonly inbox: ServerMessage[] = [];
  /** Resolves with the close code and reason once the socket has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /**
   * Resolves true when the handshake succeeded, with the HTTP status when it was refused, or with
   * the socket error when it failed (never rejects: nothing is left unhandled when nobody waits).
   */
  readonly opened: Promise<true | number | Error>;
  #waiters: ((m: ServerMessage) => void)[] = [];

  constructor(url: string, options: TestClientOptions = {}) {
    this.ws = new WebSocket(url, {
      rejectUnauthorized: false,
      autoPong: options.autoPong ?? true,
      ...(options.origin ? { origin: options.origin } : {}),
      headers: options.headers ?? {},
    });
    this.ws.on('message', (data) => {
      const m = JSON.parse(textOf(data)) as ServerMessage;
      const w = this.#waiters.shift();
      if (w) w(m);
      else this.inbox.push(m);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      this.ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      this.ws.once('error', (err) => resolve(err));
    });
  }

  /** Resolves when open. @throws Error when the handshake was refused. */
  async open(): Promise<void> {
    const r = await this.opened;
    if (r instanceof Error) throw r;
    if (r !== true) throw new Error(`handshake refused with HTTP ${r}`);
  }

  send(v: unknown): void {
    this.ws.send(typeof v === 'string' ? v : JSON.stringify(v));
  }

  /** The next message, waiting up to `timeout` ms. @throws Error when none arrives in time. */
  next(timeout = 3000): Promise<ServerMessage> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const waiter = (msg: ServerMessage) => {
        clearTimeout(t);
        resolve(msg);
      };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error('no message within timeout'));
      }, timeout);
      this.#waiters.push(waiter);
    });
  }

  /** Waits for the next message of `type`, dropping others; @throws Error after `timeout` ms. */
  async nextOf<T extends ServerMessage['type']>(type: T, timeout = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      if (m.type === type) return m as Extract<ServerMessage, { type: T }>;
    }
  }

  /** Joins `room` and returns this client's peer id. @throws Error when the reply is not `welcome`. */
  async join(room: string): Promise<string> {
    this.send({ type: 'join', room });
    const w = await this.next();
    if (w.type !== 'welcome') throw new Error(`join ${room}: got ${JSON.stringify(w)}`);
    return w.id;
  }
}
