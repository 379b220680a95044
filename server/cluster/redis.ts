/**
 * The Redis side of cluster mode: two ioredis connections (one for commands and scripts, one
 * subscribed to this process's channel), their reconnect handling, and typed script calls.
 *
 * Why ioredis: it reconnects by itself with a backoff, re-subscribes after a reconnect, queues
 * commands while reconnecting, is pure JavaScript (bundles with esbuild, no native build) and ships
 * its own TypeScript types.
 *
 * @see https://github.com/redis/ioredis#auto-reconnect
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

/** A Lua script called by SHA (`EVALSHA`), re-sent in full when Redis answers `NOSCRIPT` (after a restart). */
export class Script {
  readonly #source: string;
  readonly #sha: string;
  readonly #keys: number;

  /** @param keys how many of the arguments are key names (they come first). */
  constructor(source: string, keys: number) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
    this.#keys = keys;
  }

  /**
   * Runs the script.
   * @throws the Redis error (e.g. `ReplyError`) other than NOSCRIPT.
   */
  async run(redis: Redis, args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, this.#keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.#source, this.#keys, ...args);
    }
  }
}

/** Longest wait between two reconnect attempts, ms. */
export const RECONNECT_MAX_MS = 2000;

/** Events of a {@link RedisLink}: `down` when either connection drops, `up` when both are ready again. */
export interface RedisLinkEvents {
  down: (reason: string) => void;
  up: () => void;
}

/**
 * The two connections of one process, seen as one link that is either up or down.
 * Commands sent while down wait in ioredis's queue (`maxRetriesPerRequest: null`).
 */
export class RedisLink {
  readonly cmd: Redis;
  readonly sub: Redis;
  readonly #url: string;
  #ready = { cmd: false, sub: false };
  #channel: string | null = null;
  #up = false;
  #lastError = '';
  #handlers: { down: ((reason: string) => void)[]; up: (() => void)[] } = { down: [], up: [] };

  /**
   * @param url a `redis://` or `rediss://` URL (user, password and database number included).
   * @throws TypeError when the URL's scheme is not redis: or rediss:.
   */
  constructor(url: string) {
    if (!/^rediss?:\/\//.test(url)) throw new TypeError(`Redis URL must start with redis:// or rediss:// (got "${url}")`);
    this.#url = url;
    const options = {
      maxRetriesPerRequest: null,
      // Reconnect quickly at first, then every 2 s at most, forever.
      retryStrategy: (times: number) => Math.min(100 * times, RECONNECT_MAX_MS),
      lazyConnect: true,
    };
    // Auto-pipelining: the commands of one event-loop tick go out in one write (fewer syscalls per message).
    this.cmd = new Redis(url, { ...options, connectionName: 'webrtc-playground', enableAutoPipelining: true });
    // Not ioredis's own re-subscribe: it sends SUBSCRIBE after its `ready` event, so `up` could come
    // (and the rooms be rebuilt) while messages published to this process still reach no one.
    this.sub = new Redis(url, { ...options, connectionName: 'webrtc-playground-sub', autoResubscribe: false });
    for (const [name, conn] of [['cmd', this.cmd], ['sub', this.sub]] as const) {
      conn.on('error', (err: Error) => {
        this.#lastError = err.message;
      });
      conn.on('ready', () => {
        if (name === 'sub' && this.#channel !== null) {
          // Ready once Redis has confirmed the subscription (a failure means the connection dropped again).
          conn.subscribe(this.#channel).then(() => {
            if (conn.status === 'ready') this.#onReady(name);
          }, (err: unknown) => {
            this.#lastError = String(err);
          });
          return;
        }
        this.#onReady(name);
      });
      conn.on('close', () => {
        this.#ready[name] = false;
        if (!this.#up) return;
        this.#up = false;
        for (const h of this.#handlers.down) h(this.#lastError || 'connection closed');
      });
    }
  }

  #onReady(name: 'cmd' | 'sub'): void {
    this.#ready[name] = true;
    if (this.#ready.cmd && this.#ready.sub && !this.#up) {
      this.#up = true;
      for (const h of this.#handlers.up) h();
    }
  }

  /**
   * Subscribes the `sub` connection to `channel` (this process's), and again after every reconnect
   * before the link counts as up, so nothing published to it after `up` is missed.
   * @throws the Redis error when the subscription fails.
   */
  async subscribe(channel: string): Promise<void> {
    this.#channel = channel;
    await this.sub.subscribe(channel);
  }

  /** Whether both connections are ready (and `sub` subscribed again). */
  get up(): boolean {
    return this.#up;
  }

  /** The URL without its password, for logs. */
  get safeUrl(): string {
    return this.#url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }

  /** Adds a listener for `down` or `up`. */
  on<E extends keyof RedisLinkEvents>(event: E, handler: RedisLinkEvents[E]): void {
    if (event === 'down') this.#handlers.down.push(handler as RedisLinkEvents['down']);
    else this.#handlers.up.push(handler as RedisLinkEvents['up']);
  }

  /**
   * Connects both connections.
   * @throws Error saying which URL could not be reached when Redis is not ready within `timeoutMs`.
   */
  async connect(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const up = new Promise<void>((resolve, reject) => {
      this.on('up', resolve);
      timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${this.safeUrl} within ${timeoutMs} ms (${this.#lastError || 'no answer'})`)), timeoutMs);
    });
    // A failed first attempt rejects connect(), but ioredis keeps retrying: wait for `up` instead.
    for (const conn of [this.cmd, this.sub]) conn.connect().catch((err: unknown) => { this.#lastError ||= String(err); });
    try {
      await up;
    } catch (err) {
      this.cmd.disconnect();
      this.sub.disconnect();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes both connections (QUIT, or a hard disconnect when Redis does not answer within 500 ms). */
  async close(): Promise<void> {
    const quit = Promise.all([this.cmd.quit(), this.sub.quit()]).then(() => undefined);
    const late = new Promise<void>((resolve) => setTimeout(resolve, 500).unref());
    await Promise.race([quit.catch((err: unknown) => console.error('[cluster] closing Redis:', String(err))), late]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}
