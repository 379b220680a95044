/**
 * The shared room store of cluster mode: typed calls of the Lua scripts in ./scripts.ts, with the
 * key names of one process. Every method is one atomic script run in Redis (one round trip).
 */
import type { PeerInfo } from '../../src/signaling/protocol';
import { RECONNECT_MAX_MS, Script, type RedisLink } from './redis';
import * as lua from './scripts';

const scripts = {
  join: new Script(lua.JOIN, 2),
  leave: new Script(lua.LEAVE, 2),
  route: new Script(lua.ROUTE, 1),
  deliver: new Script(lua.DELIVER, 1),
  hold: new Script(lua.HOLD, 1),
  resume: new Script(lua.RESUME, 2),
  heartbeat: new Script(lua.HEARTBEAT, 2),
  rebuild: new Script(lua.REBUILD, 3),
};

/** A peer of this process, as {@link RoomStore.rebuild} puts it back. */
export interface LocalPeer { room: string; info: PeerInfo; held: boolean }

/** What {@link RoomStore.resume} found. */
export interface Resumed { others: PeerInfo[]; backlog: string[]; wasHeld: boolean; info: PeerInfo }

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const infos = (v: unknown): PeerInfo[] => strings(v).map((s) => JSON.parse(s) as PeerInfo);

/** Room membership shared through Redis, seen from one process. */
export class RoomStore {
  readonly #link: RedisLink;
  readonly #proc: string;
  readonly #prefix: string;
  readonly #ttlMs: number;

  /**
   * @param proc this process's id; @param prefix of every key and channel;
   * @param ttlMs TTL of the heartbeat key in ms.
   */
  constructor(link: RedisLink, proc: string, prefix: string, ttlMs: number) {
    this.#link = link;
    this.#proc = proc;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
  }

  /** This process's pub/sub channel. */
  get channel(): string {
    return `${this.#prefix}proc:${this.#proc}`;
  }

  #room(room: string): string {
    return `${this.#prefix}room:${room}`;
  }

  get #peers(): string {
    return `${this.#prefix}peers:${this.#proc}`;
  }

  get #alive(): string {
    return `${this.#prefix}alive:${this.#proc}`;
  }

  #run(script: Script, args: (string | number)[]): Promise<unknown> {
    return script.run(this.#link.cmd, args);
  }

  /**
   * Runs `script`, and again while it answers "recovering" (`{2, …}`: Redis lost its data and
   * another process may not have put its peers back yet), waiting `waitMs(reply)` ms in between.
   * @returns the first other reply.
   */
  async #runUntilRecovered(script: Script, args: (string | number)[], waitMs: (reply: unknown[]) => number): Promise<unknown> {
    for (;;) {
      const reply = await this.#run(script, args);
      if (!Array.isArray(reply) || reply[0] !== 2) return reply;
      await new Promise((resolve) => setTimeout(resolve, waitMs(reply)).unref());
    }
  }

  /**
   * Adds `me` to `room` unless it holds `capacity` peers already; tells the others `joinedText`.
   * Right after Redis lost its data (`recovering`), a member of the room may not be back yet, so
   * the capacity cannot be checked: it waits until the recovery window ends (at most one TTL + 2 s).
   * @returns the others (for `welcome`), or `null` when the room is full.
   * @throws the Redis error (e.g. the connection closed while waiting).
   */
  async join(room: string, me: PeerInfo, capacity: number, joinedText: string): Promise<PeerInfo[] | null> {
    const args = [this.#room(room), this.#peers, me.id, this.#proc, capacity, JSON.stringify(me), joinedText, room, this.#prefix];
    // The script says how long the window has left (reply[2], ms): ask again then, at least every second.
    const reply = await this.#runUntilRecovered(scripts.join, args, (r) => Math.min((typeof r[2] === 'number' ? r[2] : 100) + 10, 1000));
    if (!Array.isArray(reply) || reply[0] !== 1) return null;
    return infos(reply[1]);
  }

  /** Removes peer `id` from `room` if this process holds it, telling the rest `leftText`. */
  async leave(room: string, id: string, leftText: string): Promise<boolean> {
    return (await this.#run(scripts.leave, [this.#room(room), this.#peers, id, this.#proc, leftText, room, this.#prefix])) === 1;
  }

  /**
   * Publishes `text` from `from` to `to` (or every other peer when `to` is undefined) in `room`.
   * While Redis recovers from a data loss, it is also kept for peers whose process has not put them
   * back yet (they get it when it does).
   * @returns -1 when `from` is not in the room, 0 for an unknown `to`, else how many got it.
   */
  async route(room: string, from: string, to: string | undefined, text: string): Promise<number> {
    const n = await this.#run(scripts.route, [this.#room(room), from, to ?? '', text, this.#prefix, room]);
    return typeof n === 'number' ? n : 0;
  }

  /** Hands `text` to whoever holds peer `id` of `room` now. */
  async deliver(room: string, id: string, text: string): Promise<void> {
    await this.#run(scripts.deliver, [this.#room(room), id, text, this.#prefix]);
  }

  /** Marks peer `id` held (its connection dropped): messages for it are kept in Redis. */
  async hold(room: string, id: string): Promise<boolean> {
    return (await this.#run(scripts.hold, [this.#room(room), id, this.#proc])) === 1;
  }

  /**
   * Moves peer `id` of `room` to this process (a resume). `info` replaces its PeerInfo when given.
   * Right after Redis lost its data, a place not found may not be back yet: it asks again every
   * 100 ms until its process puts it back or the recovery window ends.
   * @returns what the welcome needs, or `null` when the id is not in the room (any more).
   * @throws the Redis error (e.g. the connection closed while waiting).
   */
  async resume(room: string, id: string, info: PeerInfo | undefined): Promise<Resumed | null> {
    const args = [this.#room(room), this.#peers, id, this.#proc, info ? JSON.stringify(info) : '', this.#prefix, room];
    const reply = await this.#runUntilRecovered(scripts.resume, args, () => 100);
    if (!Array.isArray(reply) || reply[0] !== 1) return null;
    return { others: infos(reply[1]), backlog: strings(reply[2]), wasHeld: reply[3] === 1, info: JSON.parse(String(reply[4])) as PeerInfo };
  }

  /**
   * Refreshes this process's heartbeat and, when `reap`, removes dead processes' peers.
   * @returns whether this process was still registered, how many peers were reaped, and the ids of the dead processes.
   */
  async heartbeat(reap: boolean): Promise<{ registered: boolean; reaped: number; gone: string[] }> {
    const reply = await this.#run(scripts.heartbeat, [this.#alive, `${this.#prefix}procs`, this.#ttlMs, this.#proc, this.#prefix, reap ? '1' : '0']);
    if (!Array.isArray(reply)) return { registered: true, reaped: 0, gone: [] };
    return { registered: reply[0] === 1, reaped: typeof reply[1] === 'number' ? reply[1] : 0, gone: strings(reply[2]) };
  }

  /**
   * Puts `peers` (this process's) back into their rooms; `announce` tells the rooms `peer-joined`.
   * After a reconnect (not `announce`) to a Redis that lost its data, it also starts the recovery
   * window, and each peer put back gets what was sent to it meanwhile.
   */
  async rebuild(peers: LocalPeer[], announce: boolean): Promise<number> {
    // After a data loss, what is sent is kept for one TTL plus the longest reconnect backoff: the
    // time every other live process needs to come back and put its peers back too.
    const recoverMs = this.#ttlMs + RECONNECT_MAX_MS;
    const args: (string | number)[] = [this.#alive, `${this.#prefix}procs`, this.#peers, this.#ttlMs, this.#proc, this.#prefix, announce ? '1' : '0', recoverMs];
    for (const p of peers) args.push(p.room, p.info.id, JSON.stringify(p.info), p.held ? '1' : '0');
    const n = await this.#run(scripts.rebuild, args);
    return typeof n === 'number' ? n : 0;
  }

  /** Unregisters this process (graceful shutdown, after its peers left). */
  async unregister(): Promise<void> {
    await this.#link.cmd.multi().del(this.#alive, this.#peers).srem(`${this.#prefix}procs`, this.#proc).exec();
  }
}
