/**
 * Cluster mode: the signaler's rooms shared by several processes through Redis. Same contract as
 * the in-memory {@link Relay} (ids assigned here, `from` stamped by the process that received the
 * frame, messages only inside the sender's room, bad frames get an `error` to the sender only), but
 * room membership lives in Redis and crosses processes:
 *
 * - join/leave/route are Lua scripts (./scripts.ts): the capacity check and the "is the target in
 *   my room?" check are atomic with the change or the PUBLISH they guard.
 * - One pub/sub channel per process (`proc:<id>`), not per room: a process subscribes once at start
 *   and never again, so joins cost no SUBSCRIBE/UNSUBSCRIBE round trips and Redis keeps one
 *   subscription per process. The cost: the route script looks the target's process up in the room
 *   hash for every message, and a broadcast to a room of N costs N−1 PUBLISHes (rooms are small).
 * - Heartbeat key with a TTL per process; every process reaps dead ones on each beat (peer-left).
 * - Redis restart: both connections reconnect by themselves; frames wait in order meanwhile; each
 *   process then puts its own peers back into their rooms (the processes hold the truth about
 *   their sockets), so clients notice nothing but a delay.
 */
import {
  encodeMessage,
  parseClientMessage,
  parseServerMessage,
  type ErrorCode,
  type PeerInfo,
  type ServerMessage,
} from '../../src/signaling/protocol';
import { createPeerId, type Member, type RelayConnection, type RelayTrace } from '../../src/signaling/relay';
import { RedisLink, Script } from './redis';
import * as lua from './scripts';

/** Options of {@link ClusterRelay.start}. */
export interface ClusterRelayOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379/0` (`rediss://` for TLS). */
  url: string;
  /** Most peers a room holds, cluster-wide. All processes must use the same value. Default 2. */
  capacity?: number;
  /** Heartbeat interval in ms. Default 1000. */
  heartbeatMs?: number;
  /** TTL of the heartbeat key in ms: a process silent this long is dead. Default 3000 (≥ 2 heartbeats). */
  ttlMs?: number;
  /** Prefix of every key and channel, to share one Redis between deployments. Default `wp:`. */
  prefix?: string;
  /** How long to wait for Redis at start, in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** Called for every frame handled or refused. */
  onTrace?: (event: RelayTrace) => void;
  /** Log lines (connection lost/back, peers reaped). Default `console.log`. */
  log?: (line: string) => void;
}

const scripts = {
  join: new Script(lua.JOIN, 2),
  leave: new Script(lua.LEAVE, 2),
  route: new Script(lua.ROUTE, 1),
  heartbeat: new Script(lua.HEARTBEAT, 2),
  rebuild: new Script(lua.REBUILD, 3),
};

function isJoinReply(v: unknown): v is [number, string[]] {
  return Array.isArray(v) && typeof v[0] === 'number' && Array.isArray(v[1]) && v[1].every((s) => typeof s === 'string');
}

/**
 * Room relay backed by Redis, for several signaler processes behind one load balancer.
 * Create with {@link ClusterRelay.start}; drive like {@link Relay}.
 */
export class ClusterRelay {
  readonly capacity: number;
  /** This process's id in the cluster (random). */
  readonly processId = createPeerId();
  /** Upper bound in ms for a dead process's peers to be removed from their rooms (TTL + one heartbeat). */
  readonly deadAfterMs: number;
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #heartbeatMs: number;
  readonly #ttlMs: number;
  readonly #onTrace: ((event: RelayTrace) => void) | undefined;
  readonly #log: (line: string) => void;
  readonly #local = new Map<string, Member>();
  /** Deliveries for members whose join is in flight: sent right after their `welcome`. */
  readonly #joining = new Map<string, string[]>();
  readonly #chains = new WeakMap<Member, Promise<void>>();
  #gate: Promise<void> = Promise.resolve();
  #openGate: () => void = () => undefined;
  #timer: NodeJS.Timeout | undefined;
  #reapAfter = 0;
  #closed = false;

  private constructor(options: ClusterRelayOptions) {
    const capacity = options.capacity ?? 2;
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('capacity must be an integer >= 1');
    this.capacity = capacity;
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#ttlMs = options.ttlMs ?? 3000;
    if (this.#ttlMs < 2 * this.#heartbeatMs) throw new TypeError('ttlMs must be at least twice heartbeatMs');
    this.deadAfterMs = this.#ttlMs + this.#heartbeatMs;
    this.#prefix = options.prefix ?? 'wp:';
    this.#onTrace = options.onTrace;
    this.#log = options.log ?? ((line) => console.log(line));
    this.#link = new RedisLink(options.url);
  }

  /**
   * Connects to Redis, subscribes to this process's channel and starts the heartbeat.
   * @throws TypeError for a bad URL or options; Error when Redis cannot be reached in time.
   */
  static async start(options: ClusterRelayOptions): Promise<ClusterRelay> {
    const relay = new ClusterRelay(options);
    await relay.#start(options.connectTimeoutMs ?? 10_000);
    return relay;
  }

  async #start(timeoutMs: number): Promise<void> {
    const link = this.#link;
    link.sub.on('message', (_channel: string, payload: string) => this.#deliver(payload));
    await link.connect(timeoutMs);
    await link.sub.subscribe(`${this.#prefix}proc:${this.processId}`);
    link.on('down', (reason) => {
      if (this.#closed) return;
      this.#log(`[cluster] lost the connection to Redis (${reason}); reconnecting, frames wait meanwhile`);
      this.#gate = new Promise((resolve) => {
        this.#openGate = resolve;
      });
    });
    link.on('up', () => {
      if (this.#closed) return;
      void this.#rebuild(false).then((n) => {
        this.#log(`[cluster] reconnected to Redis at ${link.safeUrl}; put ${n} peer(s) of this process back into their rooms`);
        // Give the other processes one TTL to come back too before reaping anyone.
        this.#reapAfter = Date.now() + this.#ttlMs;
        this.#openGate();
      }, (err: unknown) => this.#log(`[cluster] rebuilding rooms failed: ${String(err)}`));
    });
    await this.#beat();
    this.#log(`[cluster] process ${this.processId} joined the cluster at ${link.safeUrl} (heartbeat ${this.#heartbeatMs} ms, dead after ${this.deadAfterMs} ms)`);
  }

  /** Registers a new connection and gives it a fresh peer id (96 random bits: unique cluster-wide). */
  connect(connection: RelayConnection): Member {
    const member: Member = { id: createPeerId(), connection, room: null };
    this.#local.set(member.id, member);
    return member;
  }

  /** The members of `room` connected to this process. */
  members(room: string): Member[] {
    return [...this.#local.values()].filter((m) => m.room === room);
  }

  /** Rooms that hold at least one peer of this process. */
  rooms(): string[] {
    return [...new Set([...this.#local.values()].flatMap((m) => (m.room ? [m.room] : [])))];
  }

  /** Handles one frame from `member`, in order with its earlier frames. Never throws on input. */
  receive(member: Member, frame: unknown): void {
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) {
      this.refuse(member, parsed.error.code, parsed.error.message);
      return;
    }
    const msg = parsed.message;
    this.#onTrace?.({ kind: 'in', from: member.id, message: msg });
    switch (msg.type) {
      case 'join':
        this.#queue(member, () => this.#join(member, msg.room, msg.name));
        return;
      case 'leave':
        this.#queue(member, () => {
          if (!member.room) return this.refuse(member, 'not-in-room', 'you are not in a room');
          return this.#leave(member);
        });
        return;
      case 'offer':
      case 'answer':
        this.#queue(member, () => this.#route(member, msg.to, { type: msg.type, from: member.id, sdp: msg.sdp }));
        return;
      case 'candidate':
        this.#queue(member, () => this.#route(member, msg.to, { type: 'candidate', from: member.id, candidate: msg.candidate }));
        return;
      case 'bye':
        this.#queue(member, () => this.#route(member, msg.to, { type: 'bye', from: member.id }));
        return;
      default: {
        const never: never = msg;
        throw new TypeError(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Removes `member` from its room (the room, on every process, gets `peer-left`). */
  disconnect(member: Member): void {
    this.#queue(member, async () => {
      if (member.room) await this.#leave(member);
      this.#local.delete(member.id);
    });
  }

  /** Replies `error {code, message}` to `member` only. */
  refuse(member: Member, code: ErrorCode, message: string): void {
    this.#onTrace?.({ kind: 'refused', from: member.id, code, message });
    this.#send(member, { type: 'error', code, message });
  }

  /**
   * Leaves the cluster: removes this process's peers from their rooms (the others get `peer-left`),
   * deletes its heartbeat and closes both Redis connections. Resolves within ~1 s even when Redis is down.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const cmd = this.#link.cmd;
    if (this.#link.up) {
      const leaving = [...this.#local.values()].filter((m) => m.room).map((m) => this.#leave(m));
      const id = this.processId;
      const cleanup = Promise.all(leaving)
        .then(() => cmd.multi().del(`${this.#prefix}alive:${id}`, `${this.#prefix}peers:${id}`).srem(`${this.#prefix}procs`, id).exec())
        .catch((err: unknown) => this.#log(`[cluster] leaving the cluster: ${String(err)}`));
      await Promise.race([cleanup, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    this.#local.clear();
    await this.#link.close();
  }

  // ------------------------------------------------------------------ internals

  /** Runs `step` after `member`'s earlier frames, and only while Redis is reachable. */
  #queue(member: Member, step: () => void | Promise<void>): void {
    const prev = this.#chains.get(member) ?? Promise.resolve();
    const next = prev
      .then(() => this.#gate)
      .then(step)
      .catch((err: unknown) => this.#log(`[cluster] peer ${member.id}: ${String(err)}`));
    this.#chains.set(member, next);
  }

  #send(member: Member, message: ServerMessage): void {
    this.#onTrace?.({ kind: 'out', to: member.id, message });
    member.connection.send(encodeMessage(message));
  }

  #key(room: string): string {
    return `${this.#prefix}room:${room}`;
  }

  get #peersKey(): string {
    return `${this.#prefix}peers:${this.processId}`;
  }

  async #join(member: Member, room: string, name: string | undefined): Promise<void> {
    if (member.room) {
      this.refuse(member, 'already-in-room', `you are already in room "${member.room}"; leave it first`);
      return;
    }
    const me: PeerInfo = name === undefined ? { id: member.id } : { id: member.id, name };
    const joined = encodeMessage({ type: 'peer-joined', peer: me });
    this.#joining.set(member.id, []);
    try {
      const reply = await scripts.join.run(this.#link.cmd, [
        this.#key(room), this.#peersKey, member.id, this.processId, this.capacity, JSON.stringify(me), joined, room, this.#prefix,
      ]);
      if (!isJoinReply(reply)) throw new Error(`unexpected JOIN reply ${JSON.stringify(reply)}`);
      if (reply[0] === 0) {
        this.refuse(member, 'room-full', `room "${room}" is full (${this.capacity} peers)`);
        return;
      }
      member.room = room;
      if (name !== undefined) member.name = name;
      const peers = reply[1].map((text) => JSON.parse(text) as PeerInfo);
      this.#send(member, { type: 'welcome', id: member.id, room, peers, capacity: this.capacity });
      for (const text of this.#joining.get(member.id) ?? []) this.#forward(member, text);
    } finally {
      this.#joining.delete(member.id);
    }
  }

  async #leave(member: Member): Promise<void> {
    const room = member.room;
    if (!room) return;
    member.room = null;
    await scripts.leave.run(this.#link.cmd, [
      this.#key(room), this.#peersKey, member.id, this.processId, encodeMessage({ type: 'peer-left', id: member.id }), room, this.#prefix,
    ]);
  }

  /** Publishes without waiting for the reply (the connection keeps the order); refusals come back later. */
  #route(member: Member, to: string | undefined, message: ServerMessage): void {
    const room = member.room;
    if (!room) {
      this.refuse(member, 'not-in-room', `join a room before sending "${message.type}"`);
      return;
    }
    scripts.route.run(this.#link.cmd, [this.#key(room), member.id, to ?? '', encodeMessage(message), this.#prefix]).then(
      (n) => {
        if (n === 0 && to !== undefined) this.refuse(member, 'unknown-peer', `no peer "${to}" in room "${room}"`);
      },
      (err: unknown) => this.#log(`[cluster] relaying for ${member.id}: ${String(err)}`),
    );
  }

  /** A message from the process channel: `<peer id>\n<JSON text>` for one of our members. */
  #deliver(payload: string): void {
    const nl = payload.indexOf('\n');
    if (nl < 0) return;
    const id = payload.slice(0, nl);
    const text = payload.slice(nl + 1);
    const pending = this.#joining.get(id);
    if (pending) {
      pending.push(text);
      return;
    }
    const member = this.#local.get(id);
    if (member?.room) this.#forward(member, text);
  }

  #forward(member: Member, text: string): void {
    if (this.#onTrace) {
      const parsed = parseServerMessage(text);
      if (parsed.ok) this.#onTrace({ kind: 'out', to: member.id, message: parsed.message });
    }
    member.connection.send(text);
  }

  /** Refreshes the heartbeat, reaps dead processes, and re-registers if this process was reaped. */
  async #beat(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#link.up) {
        const reap = Date.now() >= this.#reapAfter ? '1' : '0';
        const reply = await scripts.heartbeat.run(this.#link.cmd, [
          `${this.#prefix}alive:${this.processId}`, `${this.#prefix}procs`, this.#ttlMs, this.processId, this.#prefix, reap,
        ]);
        const [was, reaped] = Array.isArray(reply) ? reply : [1, 0];
        if (typeof reaped === 'number' && reaped > 0) this.#log(`[cluster] removed ${reaped} peer(s) of dead process(es) from their rooms`);
        if (was === 0 && this.rooms().length > 0) {
          const n = await this.#rebuild(true);
          this.#log(`[cluster] this process had been taken for dead (no heartbeat for ${this.#ttlMs} ms); put ${n} peer(s) back`);
        }
      }
    } catch (err) {
      this.#log(`[cluster] heartbeat failed: ${String(err)}`);
    }
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#beat(), this.#heartbeatMs);
    this.#timer.unref();
  }

  /** Puts this process's peers back into their rooms (after Redis lost data, or after being reaped). */
  async #rebuild(announce: boolean): Promise<number> {
    const args: (string | number)[] = [
      `${this.#prefix}alive:${this.processId}`, `${this.#prefix}procs`, this.#peersKey, this.#ttlMs, this.processId, this.#prefix, announce ? '1' : '0',
    ];
    for (const m of this.#local.values()) {
      if (!m.room) continue;
      args.push(m.room, m.id, JSON.stringify(m.name === undefined ? { id: m.id } : { id: m.id, name: m.name }));
    }
    const n = await scripts.rebuild.run(this.#link.cmd, args);
    return typeof n === 'number' ? n : 0;
  }
}
