/**
 * A `ws` test client for the signaler: queues every server message so a test can `await next()`
 * in order, and `quiet()` to check that nothing arrived.
 */
import { WebSocket } from 'ws';
import { textOf } from '../../server/app';
import type { ServerMessage, WelcomeMessage } from '../../src/signaling/protocol';

/** One test connection to `wss://…/ws`. */
export class WsClient {
  readonly ws: WebSocket;
  readonly inbox: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: ((m: ServerMessage) => void)[] = [];

  constructor(url: string, options: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { rejectUnauthorized: false, autoPong: options.autoPong ?? true });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      const m = JSON.parse(textOf(data)) as ServerMessage;
      const w = this.#waiters.shift();
      if (w) w(m);
      else this.inbox.push(m);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Connects `url` and resolves once open. */
  static async open(url: string, options?: { autoPong?: boolean }): Promise<WsClient> {
    const c = new WsClient(url, options);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    return c;
  }

  send(v: unknown): void {
    this.ws.send(typeof v === 'string' ? v : JSON.stringify(v));
  }

  /** The next message (in arrival order). @throws Error after `timeout` ms without one. */
  next(timeout = 5000): Promise<ServerMessage> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const w = (msg: ServerMessage) => {
        clearTimeout(t);
        resolve(msg);
      };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(new Error(`no message within ${timeout} ms`));
      }, timeout);
      this.#waiters.push(w);
    });
  }

  /** Sends `join` and returns the reply, whatever it is (`welcome` or `error`). */
  joinReply(room: string, extra: Record<string, unknown> = {}): Promise<ServerMessage> {
    this.send({ type: 'join', room, ...extra });
    return this.next();
  }

  /** Sends `join` and returns the `welcome`. @throws Error when the reply is not a welcome. */
  async join(room: string, extra: { name?: string; resume?: string } = {}): Promise<WelcomeMessage> {
    const m = await this.joinReply(room, extra);
    if (m.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(m)}`);
    return m;
  }

  /** Resolves true when nothing arrives for `ms`. */
  async quiet(ms = 150): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.length === 0;
  }
}
