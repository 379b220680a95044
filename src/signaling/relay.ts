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
  parseClientMessage,
  type ClientMessage,
  type ErrorCode,
  type PeerInfo,
  type ServerMessage,
} from './protocol';

/** The one thing the relay needs from a connection: a way to send it a text frame. */
export interface RelayConnection {
  /** Sends one JSON text frame to this client. Must not throw (drop it if the socket is closing). */
  send(text: string): void;
}

/** One connected client, as the relay tracks it. */
export interface Member {
  /** Server-assigned peer id (16 URL-safe base64 characters). */
  readonly id: string;
  readonly connection: RelayConnection;
  /** The room this member is in, or `null` before `join` / after `leave`. */
  room: string | null;
  name?: string;
}

/** Options of a {@link Relay}. */
export interface RelayOptions {
  /** Most peers a room holds; a further `join` gets `room-full`. Default 2 (a two-peer call). */
  capacity?: number;
  /** Most rooms that exist at once; a `join` that would open one more gets `too-many-rooms`. Default unlimited. */
  maxRooms?: number;
  /** Called for every frame that was handled or refused, for logs and diagrams. */
  onTrace?: (event: RelayTrace) => void;
}

/** What the relay did with one frame: for logs, tests and the call page's sequence diagram. */
export type RelayTrace =
  | { kind: 'in'; from: string; message: ClientMessage }
  | { kind: 'out'; to: string; message: ServerMessage }
  | { kind: 'refused'; from: string; code: ErrorCode; message: string };

/**
 * Creates a random, unguessable peer id: 12 random bytes as 16 URL-safe base64 characters.
 * Uses Web Crypto's `getRandomValues` (present in browsers and Node ≥ 19).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Crypto/getRandomValues
 */
export function createPeerId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_');
}

/**
 * Room-based relay of signaling messages. Transport-agnostic: call {@link Relay.connect} when a
 * client connects, {@link Relay.receive} with each frame it sends, {@link Relay.disconnect} when it goes.
 */
export class Relay {
  readonly capacity: number;
  readonly maxRooms: number;
  readonly #rooms = new Map<string, Map<string, Member>>();
  readonly #onTrace: ((event: RelayTrace) => void) | undefined;

  /** @throws TypeError when `capacity` or `maxRooms` is not an integer ≥ 1. */
  constructor(options: RelayOptions = {}) {
    const capacity = options.capacity ?? 2;
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('capacity must be an integer >= 1');
    const maxRooms = options.maxRooms ?? Number.POSITIVE_INFINITY;
    if (maxRooms !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxRooms) || maxRooms < 1)) {
      throw new TypeError('maxRooms must be an integer >= 1');
    }
    this.capacity = capacity;
    this.maxRooms = maxRooms;
    this.#onTrace = options.onTrace;
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
   * to rate-limit by message type). Same rules as {@link Relay.receive}.
   */
  handle(member: Member, msg: ClientMessage): void {
    this.#onTrace?.({ kind: 'in', from: member.id, message: msg });
    switch (msg.type) {
      case 'join':
        this.#join(member, msg.room, msg.name);
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
        this.#relay(member, msg.to, { type: msg.type, from: member.id, sdp: msg.sdp });
        return;
      case 'candidate':
        this.#relay(member, msg.to, { type: 'candidate', from: member.id, candidate: msg.candidate });
        return;
      case 'bye':
        this.#relay(member, msg.to, { type: 'bye', from: member.id });
        return;
      default: {
        const never: never = msg;
        throw new TypeError(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Removes `member` from its room (telling the others `peer-left`), e.g. when its socket closed. */
  disconnect(member: Member): void {
    if (member.room) this.#leave(member);
  }

  #send(member: Member, message: ServerMessage, text = encodeMessage(message)): void {
    this.#onTrace?.({ kind: 'out', to: member.id, message });
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

  #join(member: Member, room: string, name: string | undefined): void {
    if (member.room) {
      this.refuse(member, 'already-in-room', `you are already in room "${member.room}"; leave it first`);
      return;
    }
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
    this.#send(member, { type: 'welcome', id: member.id, room, peers: others.map(info), capacity: this.capacity });
    const joined: ServerMessage = { type: 'peer-joined', peer: info(member) };
    const text = encodeMessage(joined);
    for (const other of others) this.#send(other, joined, text);
  }

  #leave(member: Member): void {
    const room = member.room;
    if (!room) return;
    const peers = this.#rooms.get(room);
    member.room = null;
    if (!peers) return;
    peers.delete(member.id);
    if (peers.size === 0) this.#rooms.delete(room);
    const left: ServerMessage = { type: 'peer-left', id: member.id };
    const text = encodeMessage(left);
    for (const other of peers.values()) this.#send(other, left, text);
  }

  #relay(member: Member, to: string | undefined, message: ServerMessage): void {
    if (!member.room) {
      this.refuse(member, 'not-in-room', `join a room before sending "${message.type}"`);
      return;
    }
    const peers = this.#rooms.get(member.room);
    if (!peers) return;
    if (to === undefined) {
      const text = encodeMessage(message);
      for (const other of peers.values()) if (other !== member) this.#send(other, message, text);
      return;
    }
    const target = peers.get(to);
    if (!target || target === member) {
      this.refuse(member, 'unknown-peer', `no peer "${to}" in room "${member.room}"`);
      return;
    }
    this.#send(target, message);
  }
}

function info(member: Member): PeerInfo {
  return member.name === undefined ? { id: member.id } : { id: member.id, name: member.name };
}
