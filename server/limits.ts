/**
 * The signaler's limits, in one module with one small interface so another process model (several
 * processes behind a load balancer) can reuse it: each process enforces these per process.
 *
 * - {@link TokenBucket}: the per-socket message rate limit (and the "patience" that closes an abuser).
 * - {@link ConnectionLimits}: connections in total and per client address.
 * - {@link clientAddress}: the address a connection counts against (`X-Forwarded-For` only when trusted).
 *
 * Rooms are capped by the relay itself (`maxRooms`), since the relay owns the rooms.
 *
 * @see https://en.wikipedia.org/wiki/Token_bucket
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Every limit of the signaler, with the defaults in {@link DEFAULT_LIMITS}. */
export interface SignalerLimits {
  /** Open WebSocket connections in total; the next one is refused with `server-full`. */
  maxConnections: number;
  /** Open connections from one client address; the next one is refused with `too-many-connections`. */
  maxConnectionsPerAddress: number;
  /** Rooms that exist at once; a `join` that would create one more gets `too-many-rooms`. */
  maxRooms: number;
  /** Sustained messages per second one socket may send (tokens refilled per second). */
  messagesPerSecond: number;
  /** Messages one socket may send at once before the rate applies (bucket size). */
  messageBurst: number;
  /**
   * Refused (`rate-limited`) frames tolerated before the socket is closed with 1008; the allowance
   * refills at a tenth of this per second, so only a client that keeps flooding is closed.
   */
  rateLimitPatience: number;
  /** Unsent bytes queued for one recipient (`bufferedAmount`) before it is disconnected with 1013. */
  maxBufferedBytes: number;
}

/**
 * Defaults sized for real use: a Chromium call sends an offer or answer and a few dozen trickled
 * candidates within a second (an ICE restart or renegotiation does it again), far below the burst;
 * a classroom behind one NAT address fits in the per-address cap.
 */
export const DEFAULT_LIMITS: Readonly<SignalerLimits> = Object.freeze({
  maxConnections: 10_000,
  maxConnectionsPerAddress: 256,
  maxRooms: 5_000,
  messagesPerSecond: 50,
  messageBurst: 200,
  rateLimitPatience: 100,
  maxBufferedBytes: 1024 * 1024,
});

/**
 * Tokens a `join` or `leave` costs in all (its frame's cost is charged first, the rest once it is
 * known to be a room change): room churn is expensive for the server and counts more.
 */
export const ROOM_CHANGE_COST = 10;
/** A frame costs one token plus one per this many bytes (64 KiB frames cost 5). */
export const BYTES_PER_TOKEN = 16 * 1024;

/**
 * Tokens a frame costs before it is parsed.
 * @param bytes the frame's length in bytes.
 */
export function frameCost(bytes: number): number {
  return 1 + Math.floor(bytes / BYTES_PER_TOKEN);
}

/**
 * A token bucket: holds up to `burst` tokens, refilled at `perSecond` tokens per second; `take(n)`
 * succeeds when n tokens are there. Time comes from `now` (ms), injectable for tests.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  #tokens: number;
  #at: number;
  readonly #now: () => number;

  /** @throws TypeError when `perSecond` or `burst` is not a positive finite number. */
  constructor(perSecond: number, burst: number, now: () => number = Date.now) {
    if (!(perSecond > 0 && Number.isFinite(perSecond))) throw new TypeError('perSecond must be a positive number');
    if (!(burst > 0 && Number.isFinite(burst))) throw new TypeError('burst must be a positive number');
    this.perSecond = perSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#now = now;
    this.#at = now();
  }

  /** Takes `n` tokens (default 1) and returns true, or returns false and takes none. */
  take(n = 1): boolean {
    const now = this.#now();
    if (now > this.#at) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.perSecond) / 1000);
      this.#at = now;
    }
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }
}

/**
 * What happened to a frame under the per-socket rate limit: `ok` (go on), `limited` (reply
 * `rate-limited`), or `close` (the socket kept flooding after being told: close it with 1008).
 */
export type RateVerdict = 'ok' | 'limited' | 'close';

/** The per-socket rate limit: a message bucket plus the patience for refused frames. */
export class SocketRateLimit {
  readonly #messages: TokenBucket;
  readonly #patience: TokenBucket;

  constructor(limits: Pick<SignalerLimits, 'messagesPerSecond' | 'messageBurst' | 'rateLimitPatience'>, now: () => number = Date.now) {
    this.#messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, now);
    this.#patience = new TokenBucket(limits.rateLimitPatience / 10, limits.rateLimitPatience, now);
  }

  /** Charges `cost` tokens (see {@link frameCost}) and says what to do with the frame. */
  charge(cost: number): RateVerdict {
    if (this.#messages.take(cost)) return 'ok';
    return this.#patience.take(1) ? 'limited' : 'close';
  }
}

/** Why a new connection was refused. */
export type ConnectionRefusal = 'server-full' | 'too-many-connections';

/**
 * Counts open connections in total and per client address. `admit` before accepting one,
 * `release` exactly once when it closes.
 */
export class ConnectionLimits {
  readonly #maxTotal: number;
  readonly #maxPerAddress: number;
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  constructor(limits: Pick<SignalerLimits, 'maxConnections' | 'maxConnectionsPerAddress'>) {
    this.#maxTotal = limits.maxConnections;
    this.#maxPerAddress = limits.maxConnectionsPerAddress;
  }

  /** Open connections counted now. */
  get total(): number {
    return this.#total;
  }

  /** Open connections from `address`. */
  count(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /** Counts a new connection from `address`, or returns why it must be refused (and counts nothing). */
  admit(address: string): ConnectionRefusal | null {
    if (this.#total >= this.#maxTotal) return 'server-full';
    const n = this.#perAddress.get(address) ?? 0;
    if (n >= this.#maxPerAddress) return 'too-many-connections';
    this.#perAddress.set(address, n + 1);
    this.#total++;
    return null;
  }

  /** Forgets one admitted connection from `address`. */
  release(address: string): void {
    const n = this.#perAddress.get(address);
    if (n === undefined) return;
    this.#total--;
    if (n <= 1) this.#perAddress.delete(address);
    else this.#perAddress.set(address, n - 1);
  }
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, so one IPv4 client counts once whichever socket family it used. */
function canonical(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The client address a connection counts against: the TCP peer address, or, with `trustProxy`,
 * the last (right-most) valid address of `X-Forwarded-For`, which is the one our own proxy added
 * (the entries left of it are whatever the client claimed and cannot be trusted).
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = canonical(req.socket.remoteAddress ?? 'unknown');
  if (!trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return peer;
  const last = value.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  if (!last || isIP(last) === 0) return peer;
  return canonical(last);
}
