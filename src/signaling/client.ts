/**
 * The page side of signaling: a typed client over any WebSocket-like transport. The transport is
 * injectable, so the same client runs against the real server (`wss://…/ws`), against the in-page
 * relay of the call page's loopback mode, and in unit tests with no server at all.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket
 */
import { Emitter } from '../util/emitter';
import { encodeMessage, parseServerMessage, type ClientMessage, type ProtocolError, type ServerMessage } from './protocol';
import { Relay, type Member } from './relay';

/** The subset of `WebSocket` the client uses; a real WebSocket satisfies it. */
export interface SignalingTransport {
  /** 0 connecting, 1 open, 2 closing, 3 closed (as `WebSocket.readyState`). */
  readonly readyState: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

/**
 * State of the connection to the signaler: `reconnecting` between an unexpected close and the next
 * attempt (see {@link reconnectDelay}); `closed` only after {@link SignalingClient.close} or when
 * the transport cannot be made again.
 */
export type SignalingState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** How a connection ended: `wasOpen` false means the server was never reached. */
export interface SignalingCloseInfo {
  /** WebSocket close code (1000 normal, 1001 going away, 1006 abnormal, 1009 too big). */
  code: number;
  reason: string;
  wasOpen: boolean;
}

/** The next reconnect attempt, as the page shows it. */
export interface ReconnectInfo {
  /** 1 for the first attempt after a close, then 2, 3, … until a join succeeds again. */
  attempt: number;
  /** Delay before that attempt, in ms (jittered). */
  delayMs: number;
  /** Wall-clock time of the attempt (`Date.now()` + delay), for a countdown. */
  at: number;
}

/** Events of a {@link SignalingClient}. */
export type SignalingEvents = {
  /** A connection opened (the first one, and each reconnect). */
  open: [];
  /** A valid message from the server. */
  message: [message: ServerMessage];
  /** A message this client sent (for the sequence diagram). */
  sent: [message: ClientMessage];
  /** The server sent a frame that is not a valid {@link ServerMessage}; it was dropped. */
  invalid: [error: ProtocolError, frame: unknown];
  /** A connection closed (each time). A reconnect follows unless the client was closed. */
  close: [info: SignalingCloseInfo];
  /** A reconnect attempt is scheduled. */
  reconnecting: [info: ReconnectInfo];
};

/** Base delays of reconnect attempts 1, 2, 3, …, in ms; the last one repeats. */
export const RECONNECT_SCHEDULE_MS: readonly number[] = [0, 300, 1200, 2700, 4800, 7000];

/**
 * Delay before reconnect attempt `attempt` (1-based): {@link RECONNECT_SCHEDULE_MS} (0, 300, 1200,
 * 2700, 4800, 7000 ms, then 7000 ms forever) times a jitter of ±20 % (`random()` in [0, 1)), so a
 * classroom of pages does not reconnect in lockstep.
 * @throws TypeError when `attempt` is not an integer ≥ 1.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new TypeError('attempt must be an integer >= 1');
  const base = RECONNECT_SCHEDULE_MS[Math.min(attempt, RECONNECT_SCHEDULE_MS.length) - 1] ?? 7000;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * {@link reconnectDelay}, never longer than `maxMs` (the call page's `reconnect-max-ms` parameter,
 * for demos and tests that should not wait out the 7 s steps).
 * @throws TypeError when `maxMs` is not a number ≥ 0.
 */
export function cappedReconnectDelay(maxMs: number, random: () => number = Math.random): (attempt: number) => number {
  if (!Number.isFinite(maxMs) || maxMs < 0) throw new TypeError('maxMs must be a number >= 0');
  return (attempt) => Math.min(maxMs, reconnectDelay(attempt, random));
}

/** Options of a {@link SignalingClient}. */
export interface SignalingClientOptions {
  /** Reconnect after an unexpected close. Default true when the client was given a transport factory. */
  reconnect?: boolean;
  /** Delay of each attempt; default {@link reconnectDelay}. */
  delay?: (attempt: number) => number;
  /**
   * Give up on a connection attempt that has neither opened nor closed after this many ms (a lost
   * packet on flaky Wi-Fi can leave a WebSocket `CONNECTING` for minutes) and go on with the next
   * attempt. Default 10,000 ms; 0 waits for ever.
   */
  connectTimeoutMs?: number;
}

/**
 * Typed signaling client. Given a transport factory it reconnects by itself after an unexpected
 * close, with backoff ({@link reconnectDelay}); the attempt count only goes back to 1 after
 * {@link SignalingClient.resetBackoff} (the session calls it on `welcome`), so a server that
 * accepts the socket and then refuses is not hammered.
 * @example
 * ```ts
 * const client = new SignalingClient(() => new WebSocket(signalingUrl()));
 * client.on('message', (m) => { switch (m.type) { … } });
 * client.on('open', () => client.send({ type: 'join', room: 'demo' }));
 * ```
 */
export class SignalingClient extends Emitter<SignalingEvents> {
  #state: SignalingState = 'connecting';
  #wasOpen = false;
  #transport: SignalingTransport | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #next: ReconnectInfo | null = null;
  readonly #make: (() => SignalingTransport) | null;
  readonly #reconnect: boolean;
  readonly #delay: (attempt: number) => number;
  readonly #connectTimeoutMs: number;

  /**
   * @param transport a transport (one connection, no reconnect), or a function that makes a new
   *   one for each (re)connection, e.g. `() => new WebSocket(url)`.
   */
  constructor(transport: SignalingTransport | (() => SignalingTransport), options: SignalingClientOptions = {}) {
    super();
    this.#make = typeof transport === 'function' ? transport : null;
    this.#reconnect = (options.reconnect ?? true) && this.#make !== null;
    this.#delay = options.delay ?? ((n) => reconnectDelay(n));
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    if (typeof transport === 'function') this.#connect();
    else this.#wire(transport);
  }

  /** `connecting`, `open`, `reconnecting` or `closed`. */
  get state(): SignalingState {
    return this.#state;
  }

  /** The scheduled reconnect attempt while `reconnecting`, else null. */
  get nextAttempt(): ReconnectInfo | null {
    return this.#next;
  }

  /**
   * Sends a message to the server.
   * @throws DOMException `InvalidStateError` when the connection is not open.
   */
  send(message: ClientMessage): void {
    if (this.#state !== 'open' || !this.#transport) throw new DOMException(`signaling is ${this.#state}`, 'InvalidStateError');
    this.#transport.send(encodeMessage(message));
    this.emit('sent', message);
  }

  /** The server accepted us (e.g. `welcome`): the next reconnect starts from attempt 1 again. */
  resetBackoff(): void {
    this.#attempt = 0;
  }

  /** Closes the connection (1000 normal closure) and stops reconnecting. */
  close(): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#next = null;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const t = this.#transport;
    this.#transport = null;
    if (t && t.readyState < 2) t.close(1000, 'bye');
    this.emit('close', { code: 1000, reason: 'bye', wasOpen });
  }

  #connect(): void {
    if (!this.#make) return;
    this.#state = 'connecting';
    let t: SignalingTransport;
    try {
      t = this.#make();
    } catch (err) {
      this.#state = 'closed';
      queueMicrotask(() => this.emit('close', { code: 1006, reason: err instanceof Error ? err.message : String(err), wasOpen: false }));
      return;
    }
    this.#wire(t);
  }

  #wire(transport: SignalingTransport): void {
    this.#transport = transport;
    this.#wasOpen = false;
    const mine = () => this.#transport === transport;
    if (transport.readyState === 1) queueMicrotask(() => mine() && this.#opened());
    transport.onopen = () => {
      settled();
      if (mine()) this.#opened();
    };
    transport.onmessage = (ev) => {
      if (!mine()) return;
      const parsed = parseServerMessage(ev.data);
      if (parsed.ok) this.emit('message', parsed.message);
      else this.emit('invalid', parsed.error, ev.data);
    };
    transport.onerror = () => {
      // The close event follows with the details; nothing else to do here.
    };
    // An attempt that hangs (neither open nor close) is abandoned as a failed one.
    const hung =
      this.#connectTimeoutMs > 0 && transport.readyState === 0
        ? setTimeout(() => {
            if (!mine() || this.#state !== 'connecting') return;
            transport.onclose?.({ code: 1006, reason: `no answer within ${this.#connectTimeoutMs} ms`, wasClean: false } as CloseEvent);
            transport.close();
          }, this.#connectTimeoutMs)
        : null;
    const settled = () => {
      if (hung !== null) clearTimeout(hung);
    };
    transport.onclose = (ev) => {
      settled();
      if (!mine() || this.#state === 'closed') return;
      this.#transport = null;
      const info = { code: ev.code, reason: ev.reason, wasOpen: this.#wasOpen };
      if (!this.#reconnect) {
        this.#state = 'closed';
        this.emit('close', info);
        return;
      }
      this.#state = 'reconnecting';
      this.emit('close', info);
      if (this.#state === 'reconnecting') this.#schedule();
    };
  }

  #schedule(): void {
    this.#attempt++;
    const delayMs = Math.max(0, this.#delay(this.#attempt));
    this.#next = { attempt: this.#attempt, delayMs, at: Date.now() + delayMs };
    this.emit('reconnecting', this.#next);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#next = null;
      if (this.#state === 'reconnecting') this.#connect();
    }, delayMs);
  }

  #opened(): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'open';
    this.#wasOpen = true;
    this.emit('open');
  }
}

/**
 * The signaler URL of the page's own origin: `wss://host:port/ws` (`ws://` on plain http).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/WebSocket
 */
export function signalingUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/**
 * A transport connected to an in-page {@link Relay} instead of a server: the loopback mode of the
 * call page and unit tests. Frames are delivered asynchronously (as a socket would), in order.
 */
export class LoopbackTransport implements SignalingTransport {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  readonly #relay: Relay;
  readonly #member: Member;

  constructor(relay: Relay) {
    this.#relay = relay;
    this.#member = relay.connect({
      send: (text) => {
        queueMicrotask(() => {
          if (this.readyState === 1) this.onmessage?.({ data: text } as MessageEvent);
        });
      },
    });
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.onopen?.(new Event('open'));
    }, 0);
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new DOMException('transport is not open', 'InvalidStateError');
    queueMicrotask(() => this.#relay.receive(this.#member, text));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#relay.disconnect(this.#member);
    queueMicrotask(() => this.onclose?.({ code, reason, wasClean: true } as CloseEvent));
  }

  /**
   * Simulates a lost network (no close frame): the relay holds this peer's place for its resume
   * grace period, and the page sees close code 1006.
   */
  drop(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#relay.disconnect(this.#member, { clean: false });
    queueMicrotask(() => this.onclose?.({ code: 1006, reason: '', wasClean: false } as CloseEvent));
  }
}
