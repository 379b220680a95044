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
 * - Redis restart: both connections reconnect (and re-subscribe) by themselves; frames wait in
 *   order meanwhile; each process puts its own peers back into their rooms. For one TTL + 2 s after a
 *   data loss, what is sent in a room is also kept: a peer put back later gets what it missed.
 * - Resume: a dropped peer's place is marked held in Redis (messages for it wait in a Redis list);
 *   `join {room, resume}` on any process (tokens are HMACs with the secret all processes share)
 *   moves the place there, with the same id and the waiting messages.
 */
import { encodeMessage, parseClientMessage, parseServerMessage, relayedSignal, type ClientMessage, type ErrorCode, type PeerInfo, type ServerMessage } from '../../src/signaling/protocol';
import { createPeerId, relayedProgress, type DisconnectInfo, type Member, type RelayConnection, type RelayTrace } from '../../src/signaling/relay';
import { MemoryResumeTokens, type ResumeTokens } from '../../src/signaling/resume';
import { Liveness } from './liveness';
import type { ClusterRelayOptions } from './options';

export type { ClusterRelayOptions };
import { RedisLink } from './redis';
import { RoomStore, type LocalPeer } from './store';


/**
 * Room relay backed by Redis, for several signaler processes behind one load balancer.
 * Create with {@link ClusterRelay.start}; drive like {@link Relay}.
 */
export class ClusterRelay {
  readonly capacity: number;
  readonly maxRooms: number;
  /** This process's id in the cluster (random). */
  readonly processId = createPeerId();
  /** Upper bound in ms for a dead process's peers to be removed from their rooms (TTL + one heartbeat). */
  readonly deadAfterMs: number;
  /** Resume grace period in ms (0: none). */
  readonly resumeGraceMs: number;
  readonly #link: RedisLink;
  readonly #store: RoomStore;
  readonly #heartbeatMs: number;
  readonly #ttlMs: number;
  readonly #tokens: ResumeTokens;
  readonly #onTrace: ((event: RelayTrace) => void) | undefined;
  readonly #log: (line: string) => void;
  /** Every member connected to (or held by) this process, by peer id. */
  readonly #local = new Map<string, Member>();
  /** Members whose connection dropped, with the timer that ends their grace period. */
  readonly #held = new Map<string, ReturnType<typeof setTimeout>>();
  /** Deliveries for members whose socket closed while the relay decides to hold or remove them. */
  readonly #dropping = new Map<string, string[]>();
  /** Deliveries for members whose join is in flight: sent right after their `welcome`. */
  readonly #joining = new Map<string, string[]>();
  readonly #chains = new WeakMap<Member, Promise<void>>();
  readonly #liveness: Liveness;
  #closed = false;

  private constructor(options: ClusterRelayOptions) {
    const capacity = options.capacity ?? 2;
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('capacity must be an integer >= 1');
    this.capacity = capacity;
    this.maxRooms = options.maxRooms ?? Number.POSITIVE_INFINITY;
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#ttlMs = options.ttlMs ?? 3000;
    if (this.#ttlMs < 2 * this.#heartbeatMs) throw new TypeError('ttlMs must be at least twice heartbeatMs');
    this.deadAfterMs = this.#ttlMs + this.#heartbeatMs;
    this.resumeGraceMs = options.resumeGraceMs ?? 0;
    this.#tokens = options.resumeTokens ?? new MemoryResumeTokens();
    this.#onTrace = options.onTrace;
    this.#log = options.log ?? ((line) => console.log(line));
    this.#link = new RedisLink(options.url);
    this.#store = new RoomStore(this.#link, this.processId, options.prefix ?? 'wp:', this.#ttlMs);
    this.#liveness = new Liveness({
      link: this.#link, store: this.#store, heartbeatMs: this.#heartbeatMs, ttlMs: this.#ttlMs, log: this.#log,
      localPeers: () => this.#localPeers(),
    });
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
    await link.subscribe(this.#store.channel);
    await this.#liveness.start();
    this.#log(`[cluster] process ${this.processId} joined the cluster at ${link.safeUrl} (heartbeat ${this.#heartbeatMs} ms, dead after ${this.deadAfterMs} ms)`);
  }

  /** Registers a new connection and gives it a fresh peer id (96 random bits: unique cluster-wide). */
  connect(connection: RelayConnection): Member {
    const member: Member = { id: createPeerId(), connection, room: null };
    this.#local.set(member.id, member);
    return member;
  }

  /** The members of `room` connected to (or held by) this process. */
  members(room: string): Member[] {
    return [...this.#local.values()].filter((m) => m.room === room);
  }

  /** Rooms that hold at least one peer of this process. */
  rooms(): string[] {
    return [...new Set([...this.#local.values()].flatMap((m) => (m.room ? [m.room] : [])))];
  }

  /** Ids of this process's peers whose place is held for a resume. */
  held(): string[] {
    return [...this.#held.keys()];
  }

  /** Handles one frame from `member`, in order with its earlier frames. Never throws on input. */
  receive(member: Member, frame: unknown): void {
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) {
      this.refuse(member, parsed.error.code, parsed.error.message);
      return;
    }
    this.handle(member, parsed.message);
  }

  /** Handles one already-validated message from `member` (same rules as {@link ClusterRelay.receive}). */
  handle(member: Member, msg: ClientMessage): void {
    this.#onTrace?.({ kind: 'in', from: member.id, message: msg });
    switch (msg.type) {
      case 'join':
        this.#queue(member, () => this.#join(member, msg.room, msg.name, msg.resume));
        return;
      case 'leave':
        this.#queue(member, () => {
          if (!member.room) return this.refuse(member, 'not-in-room', 'you are not in a room');
          return this.#leave(member);
        });
        return;
      case 'offer':
      case 'answer':
        this.#queue(member, () => this.#route(member, msg.to, relayedSignal(member.id, msg)));
        return;
      case 'candidate':
        this.#queue(member, () => this.#route(member, msg.to, { type: 'candidate', from: member.id, candidate: msg.candidate }));
        return;
      case 'bye':
        this.#queue(member, () => this.#route(member, msg.to, relayedSignal(member.id, msg)));
        return;
      case 'progress': return this.#queue(member, () => this.#route(member, msg.to, relayedProgress(member.id, msg)));
      default: {
        const never: never = msg;
        throw new TypeError(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Its connection is gone: removes `member` from its room (the room, on every process, gets
   * `peer-left`), or, for a drop (`clean` false) with a grace period, holds its place for a resume.
   */
  disconnect(member: Member, info: DisconnectInfo = { clean: true }): void {
    const mayHold = !info.clean && this.resumeGraceMs > 0 && this.#local.get(member.id) === member;
    if (mayHold && member.room) this.#dropping.set(member.id, []);
    this.#queue(member, async () => {
      const room = member.room;
      const id = member.id;
      try {
        if (room && mayHold && (await this.#store.hold(room, id))) {
          const timer = setTimeout(() => this.#queue(member, () => this.#expire(member)), this.resumeGraceMs);
          timer.unref();
          this.#held.set(id, timer);
          this.#onTrace?.({ kind: 'held', id, room });
          // What came in meanwhile joins the messages kept in Redis, in order.
          for (const text of this.#dropping.get(id) ?? []) await this.#store.deliver(room, id, text);
          return;
        }
      } finally {
        this.#dropping.delete(id);
      }
      if (room) await this.#leave(member);
      this.#forget(member);
    });
  }

  /** Replies `error {code, message}` to `member` only. */
  refuse(member: Member, code: ErrorCode, message: string): void {
    this.#onTrace?.({ kind: 'refused', from: member.id, code, message });
    this.#send(member, { type: 'error', code, message });
  }

  /**
   * Leaves the cluster (shutdown). With resume on, this process's peers are left *held* in Redis:
   * their clients reconnect (through the load balancer, to another process) and resume with the same
   * id, and the room notices nothing; those that do not come back are removed by the other processes
   * once this process's heartbeat key expires (`peer-left` within {@link ClusterRelay.deadAfterMs}).
   * With resume off, its peers leave at once (`peer-left`) and it unregisters.
   * Resolves within ~1.5 s even when Redis is down.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#liveness.stop();
    for (const timer of this.#held.values()) clearTimeout(timer);
    const inRooms = [...this.#local.values()].filter((m) => m.room);
    if (this.#link.up) {
      const handOver = this.resumeGraceMs > 0;
      const done = handOver
        ? Promise.all(inRooms.map((m) => (this.#held.has(m.id) ? Promise.resolve(true) : this.#store.hold(m.room ?? '', m.id))))
        : Promise.all(inRooms.map((m) => this.#leave(m))).then(() => this.#store.unregister());
      const logged = done.then(
        () => handOver && inRooms.length > 0 && this.#log(`[cluster] shutting down: ${inRooms.length} peer(s) held for a resume on another process`),
        (err: unknown) => this.#log(`[cluster] leaving the cluster: ${String(err)}`),
      );
      await Promise.race([logged, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    this.#held.clear();
    this.#local.clear();
    await this.#link.close();
  }

  // ------------------------------------------------------------------ internals

  /** Runs `step` after `member`'s earlier frames, and only while Redis is reachable. */
  #queue(member: Member, step: () => void | Promise<void>): void {
    if (this.#closed) return;
    const prev = this.#chains.get(member) ?? Promise.resolve();
    const next = prev
      .then(() => this.#liveness.ready)
      .then(step)
      .catch((err: unknown) => this.#log(`[cluster] peer ${member.id}: ${String(err)}`));
    this.#chains.set(member, next);
  }

  #send(member: Member, message: ServerMessage): void {
    this.#onTrace?.({ kind: 'out', to: member.id, message });
    member.connection.send(encodeMessage(message));
  }

  #forget(member: Member): void {
    if (this.#local.get(member.id) === member) this.#local.delete(member.id);
  }

  async #join(member: Member, room: string, name: string | undefined, resume: string | undefined): Promise<void> {
    if (member.room) {
      this.refuse(member, 'already-in-room', `you are already in room "${member.room}"; leave it first`);
      return;
    }
    const id = resume === undefined ? null : this.#tokens.verify(resume, room);
    if (id !== null && id !== member.id && (await this.#resume(member, room, name, id))) return;
    if (this.members(room).length === 0 && this.rooms().length >= this.maxRooms) {
      this.refuse(member, 'too-many-rooms', `this server holds its maximum of ${this.maxRooms} rooms; join an existing room or try later`);
      return;
    }
    const me: PeerInfo = name === undefined ? { id: member.id } : { id: member.id, name };
    this.#joining.set(member.id, []);
    try {
      const others = await this.#store.join(room, me, this.capacity, encodeMessage({ type: 'peer-joined', peer: me }));
      if (!others) {
        this.refuse(member, 'room-full', `room "${room}" is full (${this.capacity} peers)`);
        return;
      }
      member.room = room;
      if (name !== undefined) member.name = name;
      this.#welcome(member, others, false, this.#joining.get(member.id) ?? []);
    } finally {
      this.#joining.delete(member.id);
    }
  }

  #welcome(member: Member, peers: PeerInfo[], resumed: boolean, then: string[]): void {
    const room = member.room ?? '';
    const welcome: ServerMessage = { type: 'welcome', id: member.id, room, peers, capacity: this.capacity, resume: this.#tokens.issue(member.id, room) };
    if (resumed) welcome.resumed = true;
    if (this.resumeGraceMs > 0) welcome.resumeGraceMs = Math.min(3_600_000, Math.max(1, Math.round(this.resumeGraceMs)));
    this.#send(member, welcome);
    for (const text of then) this.#forward(member, text);
  }

  /** Puts `member` in the place of peer `id` (verified token), wherever it was. False: plain join. */
  async #resume(member: Member, room: string, name: string | undefined, id: string): Promise<boolean> {
    const freshId = member.id;
    this.#joining.set(id, []);
    try {
      const found = await this.#store.resume(room, id, name === undefined ? undefined : { id, name });
      if (!found) return false;
      const old = this.#local.get(id);
      if (old && old !== member) {
        clearTimeout(this.#held.get(id));
        if (!this.#held.delete(id)) old.connection.close?.(4000, 'replaced by a resumed connection');
        old.room = null;
      }
      this.#local.delete(freshId);
      member.id = id;
      member.room = room;
      if (found.info.name === undefined) delete member.name;
      else member.name = found.info.name;
      this.#local.set(id, member);
      this.#onTrace?.({ kind: 'resumed', id, room, replaced: !found.wasHeld });
      this.#welcome(member, found.others, true, [...found.backlog, ...(this.#joining.get(id) ?? [])]);
      return true;
    } finally {
      this.#joining.delete(id);
    }
  }

  /** The grace period of a held member ended: it leaves its room (if no other process took it over). */
  async #expire(member: Member): Promise<void> {
    if (!this.#held.delete(member.id)) return;
    if (member.room) {
      this.#onTrace?.({ kind: 'expired', id: member.id, room: member.room });
      await this.#leave(member);
    }
    this.#forget(member);
  }

  async #leave(member: Member): Promise<void> {
    const room = member.room;
    if (!room) return;
    member.room = null;
    await this.#store.leave(room, member.id, encodeMessage({ type: 'peer-left', id: member.id }));
  }

  /** Publishes without waiting for the reply (the connection keeps the order); refusals come back later. */
  #route(member: Member, to: string | undefined, message: ServerMessage): void {
    const room = member.room;
    if (!room) {
      this.refuse(member, 'not-in-room', `join a room before sending "${message.type}"`);
      return;
    }
    this.#store.route(room, member.id, to, encodeMessage(message)).then(
      (n) => {
        if (n === 0 && to !== undefined) this.refuse(member, 'unknown-peer', `no peer "${to}" in room "${room}"`);
      },
      (err: unknown) => this.#log(`[cluster] relaying for ${member.id}: ${String(err)}`),
    );
  }

  /**
   * A message from this process's channel: `<peer id>\n<JSON text>` for one of our members, or
   * `<peer id>\n` alone: another process took that peer over (a resume there).
   */
  #deliver(payload: string): void {
    const nl = payload.indexOf('\n');
    if (nl < 0) return;
    const id = payload.slice(0, nl);
    const text = payload.slice(nl + 1);
    const pending = this.#joining.get(id);
    if (pending && text) {
      pending.push(text);
      return;
    }
    const member = this.#local.get(id);
    if (!member?.room) return;
    if (!text) {
      // Taken over by another process: close the old socket, forget the place (no peer-left).
      clearTimeout(this.#held.get(id));
      if (!this.#held.delete(id)) member.connection.close?.(4000, 'replaced by a resumed connection');
      member.room = null;
      this.#forget(member);
      return;
    }
    const room = member.room;
    const dropping = this.#dropping.get(id);
    if (dropping) {
      dropping.push(text);
      return;
    }
    if (this.#held.has(id)) {
      // Published before the place was marked held: keep it with the others in Redis.
      this.#store.deliver(room, id, text).catch((err: unknown) => this.#log(`[cluster] keeping a message for ${id}: ${String(err)}`));
      return;
    }
    this.#forward(member, text);
  }

  #forward(member: Member, text: string): void {
    if (this.#onTrace) {
      const parsed = parseServerMessage(text);
      if (parsed.ok) this.#onTrace({ kind: 'out', to: member.id, message: parsed.message });
    }
    member.connection.send(text);
  }

  /** This process's peers that are in a room (held ones too), for a rebuild. */
  #localPeers(): LocalPeer[] {
    return [...this.#local.values()].flatMap((m) =>
      m.room ? [{ room: m.room, held: this.#held.has(m.id), info: m.name === undefined ? { id: m.id } : { id: m.id, name: m.name } }] : [],
    );
  }
}
