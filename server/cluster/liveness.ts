/**
 * Liveness of one cluster process: its heartbeat (a Redis key with a TTL, refreshed every
 * `heartbeatMs`; each beat also reaps processes whose key expired), and what happens when the
 * Redis link drops and comes back (a gate that holds frames meanwhile, then the process puts its
 * own peers back into their rooms before the gate opens).
 */
import type { RedisLink } from './redis';
import type { LocalPeer, RoomStore } from './store';

/** Options of {@link Liveness}. */
export interface LivenessOptions {
  link: RedisLink;
  store: RoomStore;
  /** Heartbeat interval in ms. */
  heartbeatMs: number;
  /** TTL of the heartbeat key in ms. */
  ttlMs: number;
  /** This process's peers that are in a room, for a rebuild. */
  localPeers: () => LocalPeer[];
  log: (line: string) => void;
}

/** Heartbeat, reaping and reconnect handling of one process (see the module comment). */
export class Liveness {
  readonly #o: LivenessOptions;
  #gate: Promise<void> = Promise.resolve();
  #openGate: () => void = () => undefined;
  #timer: NodeJS.Timeout | undefined;
  #reapAfter = 0;
  #stopped = false;
  #wasDown = false;
  /** The rebuild after a reconnect is running: a beat then must not take its own "not registered" for a reap. */
  #rebuilding = false;

  constructor(options: LivenessOptions) {
    this.#o = options;
    options.link.on('down', (reason) => {
      if (this.#stopped) return;
      this.#wasDown = true;
      options.log(`[cluster] lost the connection to Redis (${reason}); reconnecting, frames wait meanwhile`);
      this.#gate = new Promise((resolve) => {
        this.#openGate = resolve;
      });
    });
    options.link.on('up', () => {
      if (this.#stopped || !this.#wasDown) return;
      this.#wasDown = false;
      this.#rebuilding = true;
      void this.#rebuild(false).finally(() => {
        this.#rebuilding = false;
      }).then((n) => {
        options.log(`[cluster] reconnected to Redis at ${options.link.safeUrl}; put ${n} peer(s) of this process back into their rooms`);
        // Give the other processes one TTL to come back too before reaping anyone.
        this.#reapAfter = Date.now() + options.ttlMs;
        this.#openGate();
      }, (err: unknown) => options.log(`[cluster] rebuilding rooms failed: ${String(err)}`));
    });
  }

  /** Resolves when Redis is reachable and this process's rooms are in place (at once, normally). */
  get ready(): Promise<void> {
    return this.#gate;
  }

  /** Beats once now, then every `heartbeatMs`. */
  async start(): Promise<void> {
    await this.#beat();
  }

  /** Stops beating (the key then expires on its own, unless the store unregisters first). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    const { link, store, log, ttlMs } = this.#o;
    try {
      if (link.up && !this.#rebuilding) {
        const { registered, reaped, gone } = await store.heartbeat(Date.now() >= this.#reapAfter);
        if (gone.length > 0) log(`[cluster] process(es) ${gone.join(', ')} stopped beating; removed ${reaped} peer(s) of dead process(es) from their rooms`);
        if (!registered && this.#o.localPeers().length > 0) {
          const n = await this.#rebuild(true);
          log(`[cluster] this process had been taken for dead (no heartbeat for ${ttlMs} ms); put ${n} peer(s) back`);
        }
      }
    } catch (err) {
      log(`[cluster] heartbeat failed: ${String(err)}`);
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#beat(), this.#o.heartbeatMs);
    this.#timer.unref();
  }

  /** Puts this process's peers back (`announce`: tell the rooms `peer-joined`). */
  #rebuild(announce: boolean): Promise<number> {
    return this.#o.store.rebuild(this.#o.localPeers(), announce);
  }
}
