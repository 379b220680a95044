/**
 * The signaler's room logic, independent of any transport: the server drives it with `ws`
 * sockets, and the call page's loopback mode drives it in-page with no server at all.
 *
 * Rules: ids are assigned here (random, unguessable), never chosen by a client; a message is
 * only ever delivered inside the sender's room; `to` omitted means every other peer of the room;
 * a bad frame gets an `error` reply to its sender only, and the connection stays usable.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import {
  encodeMessage,
  encodeSignal,
  parseClientMessage,
  relayedSignal,
  type ClientMessage,
  type ErrorCode,
  type PeerInfo,
  type RelayedSignal,
  type ServerMessage,
} from './protocol';
import { createPeerId } from './peer-id';
import { relayedProgress } from './progress';
import { MemoryResumeTokens, type ResumeTokens } from './resume';

export { createPeerId, relayedProgress };

export type { DisconnectInfo, Member, RelayConnection, RelayOptions, RelayTrace } from './relay-types';
import type { DisconnectInfo, Member, RelayConnection, RelayOptions, RelayTrace } from './relay-types';

interface Held {
  member: Member;
  timer: ReturnType<typeof setTimeout>;
  backlog: string[];
  bytes: number;
}

/**
 * Room-based relay of signaling messages. Transport-agnostic: call {@link Relay.connect} when a
 * client connects, {@link Relay.receive} with each frame it sends, {@link Relay.disconnect} when it goes.
 *
 * Resume: every `welcome` carries a token for the peer's id and room. When a connection drops
 * without `leave` ({@link DisconnectInfo.clean} false), the peer stays a member of its room for
 * `resumeGraceMs` ("held"): the others are told nothing, messages for it are kept (bounded), and a
 * `join {room, resume}` with its token puts the new connection in its place with the same id, a
 * `welcome` with `resumed: true` and the kept messages, and no `peer-joined` to anyone. A token
 * whose peer is still connected (the server has not noticed the drop yet) takes the place over and
 * closes the old connection (4000). When the grace ends the room is told `peer-left` and the
 * token stops working. A relay that never knew the id (the server restarted, and
 * stateless tokens still verify) accepts the token only during its own first grace period, and
 * then announces the peer with `peer-joined` as usual. Anything else is a plain join.
 */
export class Relay {
  readonly capacity: number;
  readonly maxRooms: number;
  /** Resume grace period in ms (0: none). */
  readonly resumeGraceMs: number;
  readonly #rooms = new Map<string, Map<string, Member>>();
  readonly #held = new Map<string, Held>();
  readonly #onTrace: ((event: RelayTrace) => void) | undefined;
  readonly #tokens: ResumeTokens;
  readonly #backlogBytes: number;
  readonly #startedAt = Date.now();

  /**
   * @throws TypeError when `capacity` or `maxRooms` is not an integer ≥ 1 or `resumeGraceMs` is negative.
   */
  constructor(options: RelayOptions = {}) {
    const capacity = options.capacity ?? 2;
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('capacity must be an integer >= 1');
    const maxRooms = options.maxRooms ?? Number.POSITIVE_INFINITY;
    if (maxRooms !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxRooms) || maxRooms < 1)) {
      throw new TypeError('maxRooms must be an integer >= 1');
    }
    const grace = options.resumeGraceMs ?? 0;
    if (!Number.isFinite(grace) || grace < 0) throw new TypeError('resumeGraceMs must be a number >= 0');
    this.capacity = capacity;
    this.maxRooms = maxRooms;
    this.resumeGraceMs = grace;
    this.#onTrace = options.onTrace;
    this.#tokens = options.resumeTokens ?? new MemoryResumeTokens();
    this.#backlogBytes = options.heldBacklogBytes ?? 256 * 1024;
  }

  /** Ids of the peers whose place is currently held for a resume. */
  held(): string[] {
    return [...this.#held.keys()];
  }

  /** Ends every grace period at once, telling the rooms `peer-left` (e.g. when the server closes). */
  close(): void {
    for (const id of [...this.#held.keys()]) this.#expire(id);
  }

  /** Registers a new connection and gives it a fresh peer id. It is in no room until it joins. */
  connect(connection: RelayConnection): Member {
    return { id: createPeerId(), connection, room: null };
  }

  /** The members of `room` (empty when the room does not exist). */
  members(room: string): Member[] {
    return [...(this.#rooms.get(room)?.values() ?? [])];
  }

  /** Names of the rooms that currently hold at least one peer. */
  rooms(): string[] {
    return [...this.#rooms.keys()];
  }

  /**
   * Handles one frame from `member`: validates it, then joins, relays or leaves.
   * Never throws on input; a bad frame gets an `error` reply to `member` only.
   */
  receive(member: Member, frame: unknown): void {
    const parsed = parseClientMessage(frame);
    if (!parsed.ok) {
      this.refuse(member, parsed.error.code, parsed.error.message);
      return;
    }
    this.handle(member, parsed.message);
  }

  /**
   * Handles one already-validated message from `member` (for transports that parse first, e.g.
   * to rate-limit by message type). Same rules as {@link Relay.receive}. `frame`: a candidate's or bye's relayed frame
   * built by the transport (exactly what `encodeSignal` writes, as UTF-8), sent as is where the recipient takes bytes.
   */
  handle(member: Member, msg: ClientMessage, frame?: Uint8Array): void {
    this.#onTrace?.({ kind: 'in', from: member.id, message: msg });
    switch (msg.type) {
      case 'join':
        this.#join(member, msg.room, msg.name, msg.resume);
        return;
      case 'leave':
        if (!member.room) {
          this.refuse(member, 'not-in-room', 'you are not in a room');
          return;
        }
        this.#leave(member);
        return;
      case 'offer':
      case 'answer':
        this.#relay(member, msg.to, relayedSignal(member.id, msg));
        return;
      case 'bye':
      case 'candidate': {
        const signal: RelayedSignal = msg.type === 'bye' ? relayedSignal(member.id, msg) : { type: 'candidate', from: member.id, candidate: msg.candidate };
        const target = frame && msg.to !== undefined ? this.#bytesTarget(member, msg.to) : undefined;
        if (!frame || !target) {
          this.#relay(member, msg.to, signal);
          return;
        }
        this.#onTrace?.({ kind: 'out', to: target.id, message: signal });
        target.connection.sendBytes?.(frame);
        return;
      }
      case 'progress':
        this.#relay(member, msg.to, relayedProgress(member.id, msg));
        return;
      default: {
        const never: never = msg;
        throw new TypeError(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * The server's fast path: sends `frame`, a candidate's or bye's relayed frame that the transport
   * checked and spliced without parsing (`server/relay-frame.ts`), to peer `to` of `member`'s room.
   * @returns true when sent; false when the frame needs {@link Relay.handle} (traced relay, no such
   *   peer, a held peer, a connection that takes no bytes): the caller then parses it.
   * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/send
   */
  forward(member: Member, to: string, frame: Uint8Array): boolean {
    const target = this.#onTrace ? undefined : this.#bytesTarget(member, to);
    target?.connection.sendBytes?.(frame);
    return target !== undefined;
  }

  /** Peer `to` of `member`'s room when it is connected (not held) and takes bytes. */
  #bytesTarget(member: Member, to: string): Member | undefined {
    const target = member.room === null ? undefined : this.#rooms.get(member.room)?.get(to);
    if (!target?.connection.sendBytes || target === member || this.#held.get(target.id)?.member === target) return undefined;
    return target;
  }

  /**
   * Its connection is gone: removes `member` from its room (telling the others `peer-left`), or,
   * for a drop (`clean` false) with a grace period, holds its place for a resume.
   */
  disconnect(member: Member, info: DisconnectInfo = { clean: true }): void {
    const room = member.room;
    if (!room) return;
    if (info.clean || this.resumeGraceMs <= 0 || this.#held.has(member.id)) {
      this.#leave(member);
      return;
    }
    const id = member.id;
    const timer = setTimeout(() => this.#expire(id), this.resumeGraceMs);
    (timer as { unref?: () => void }).unref?.();
    this.#held.set(id, { member, timer, backlog: [], bytes: 0 });
    this.#onTrace?.({ kind: 'held', id, room });
  }

  #expire(id: string): void {
    const held = this.#held.get(id);
    if (!held) return;
    clearTimeout(held.timer);
    this.#held.delete(id);
    const room = held.member.room;
    if (room) this.#onTrace?.({ kind: 'expired', id, room });
    this.#leave(held.member);
  }

  #send(member: Member, message: ServerMessage, text = encodeMessage(message)): void {
    this.#onTrace?.({ kind: 'out', to: member.id, message });
    const held = this.#held.get(member.id);
    if (held && held.member === member) {
      held.backlog.push(text);
      held.bytes += text.length;
      while (held.bytes > this.#backlogBytes && held.backlog.length > 0) held.bytes -= held.backlog.shift()?.length ?? 0;
      return;
    }
    member.connection.send(text);
  }

  /**
   * Replies `error {code, message}` to `member` only (e.g. for a binary frame the transport saw).
   * The member stays connected and in its room.
   */
  refuse(member: Member, code: ErrorCode, message: string): void {
    this.#onTrace?.({ kind: 'refused', from: member.id, code, message });
    this.#send(member, { type: 'error', code, message });
  }

  #join(member: Member, room: string, name: string | undefined, resume: string | undefined): void {
    if (member.room) {
      this.refuse(member, 'already-in-room', `you are already in room "${member.room}"; leave it first`);
      return;
    }
    const id = resume === undefined ? null : this.#tokens.verify(resume, room);
    if (id !== null && this.#resume(member, room, name, id)) return;
    this.#enter(member, room, name, false);
  }

  #enter(member: Member, room: string, name: string | undefined, resumed: boolean): void {
    let peers = this.#rooms.get(room);
    if (peers && peers.size >= this.capacity) {
      this.refuse(member, 'room-full', `room "${room}" is full (${this.capacity} peers)`);
      return;
    }
    if (!peers && this.#rooms.size >= this.maxRooms) {
      this.refuse(member, 'too-many-rooms', `the server holds its maximum of ${this.maxRooms} rooms; join an existing room or try later`);
      return;
    }
    if (!peers) {
      peers = new Map();
      this.#rooms.set(room, peers);
    }
    const others = [...peers.values()];
    member.room = room;
    if (name !== undefined) member.name = name;
    peers.set(member.id, member);
    this.#welcome(member, others, resumed);
    const joined: ServerMessage = { type: 'peer-joined', peer: info(member) };
    const text = encodeMessage(joined);
    for (const other of others) this.#send(other, joined, text);
  }

  #welcome(member: Member, others: Member[], resumed: boolean): void {
    const room = member.room ?? '';
    const welcome: ServerMessage = {
      type: 'welcome', id: member.id, room, peers: others.map(info), capacity: this.capacity,
      resume: this.#tokens.issue(member.id, room),
    };
    if (resumed) welcome.resumed = true;
    if (this.resumeGraceMs > 0) welcome.resumeGraceMs = Math.min(3_600_000, Math.max(1, Math.round(this.resumeGraceMs)));
    this.#send(member, welcome);
  }

  /** Puts `member` in the place of peer `id` (verified token). False: go on with a plain join. */
  #resume(member: Member, room: string, name: string | undefined, id: string): boolean {
    const peers = this.#rooms.get(room);
    const old = peers?.get(id);
    if (peers && old) {
      const held = this.#held.get(id);
      let backlog: string[] = [];
      if (held && held.member === old) {
        clearTimeout(held.timer);
        this.#held.delete(id);
        backlog = held.backlog;
      } else {
        old.room = null;
        old.connection.close?.(4000, 'replaced by a resumed connection');
      }
      member.id = id;
      member.room = room;
      member.name = name ?? old.name;
      if (member.name === undefined) delete member.name;
      peers.set(id, member);
      this.#onTrace?.({ kind: 'resumed', id, room, replaced: !held });
      this.#welcome(member, [...peers.values()].filter((m) => m !== member), true);
      for (const text of backlog) member.connection.send(text);
      return true;
    }
    // Unknown id: only a relay younger than the grace period may have lost it (a restart).
    if (Date.now() - this.#startedAt >= this.resumeGraceMs) return false;
    if (this.#held.has(id)) return false;
    if (peers && peers.size >= this.capacity) return false;
    member.id = id;
    this.#onTrace?.({ kind: 'resumed', id, room, replaced: false });
    // The others get `peer-joined`: this relay cannot know whether they ever saw the peer.
    this.#enter(member, room, name, true);
    return true;
  }

  #leave(member: Member): void {
    const room = member.room;
    if (!room) return;
    const peers = this.#rooms.get(room);
    member.room = null;
    if (!peers || peers.get(member.id) !== member) return;
    peers.delete(member.id);
    if (peers.size === 0) this.#rooms.delete(room);
    const left: ServerMessage = { type: 'peer-left', id: member.id };
    const text = encodeMessage(left);
    for (const other of peers.values()) this.#send(other, left, text);
  }

  // @show server-relay-offer server-relay-answer
  #relay(member: Member, to: string | undefined, message: RelayedSignal): void {
    if (!member.room) {
      this.refuse(member, 'not-in-room', `join a room before sending "${message.type}"`);
      return;
    }
    const peers = this.#rooms.get(member.room);
    if (!peers) return;
    if (to === undefined) {
      const text = encodeSignal(message);
      for (const other of peers.values()) if (other !== member) this.#send(other, message, text);
      return;
    }
    const target = peers.get(to);
    if (!target || target === member) {
      this.refuse(member, 'unknown-peer', `no peer "${to}" in room "${member.room}"`);
      return;
    }
    this.#send(target, message, encodeSignal(message));
  }
}

function info(member: Member): PeerInfo {
  return member.name === undefined ? { id: member.id } : { id: member.id, name: member.name };
}
