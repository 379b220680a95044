/**
 * One interface for the signaler's room relay, two implementations: the in-memory {@link Relay}
 * (the default: one process, no dependency) and the Redis-backed {@link ClusterRelay} (cluster
 * mode, `--redis URL`). The server only talks to {@link SignalingRelay}.
 */
import type { ClientMessage, ErrorCode } from '../src/signaling/protocol';
import { Relay, type DisconnectInfo, type Member, type RelayConnection, type RelayTrace } from '../src/signaling/relay';
import type { ResumeTokens } from '../src/signaling/resume';
import { ClusterRelay, type ClusterRelayOptions } from './cluster/cluster-relay';

/** What the server needs from a room relay. */
export interface SignalingRelay {
  /** Most peers per room. */
  readonly capacity: number;
  /** Registers a new connection and gives it a fresh, unguessable peer id. */
  connect(connection: RelayConnection): Member;
  /** Handles one frame from `member` (never throws on input). */
  receive(member: Member, frame: unknown): void;
  /**
   * Handles one already-validated message from `member` (same rules as `receive`). `frame`: its
   * relayed frame spliced from the sender's bytes (`./relay-frame`), used where the relay can.
   */
  handle(member: Member, message: ClientMessage, frame?: Uint8Array): void;
  /**
   * The fast path: sends a candidate's or bye's relayed frame, checked and spliced without parsing
   * (`./relay-frame`), to peer `to` of `member`'s room. Returns false when the frame needs
   * {@link SignalingRelay.handle} instead. Optional: without it every frame is parsed (cluster mode).
   */
  forward?(member: Member, to: string, frame: Uint8Array): boolean;
  /** The member's socket closed: remove it from its room, or hold its place for a resume (a drop). */
  disconnect(member: Member, info?: DisconnectInfo): void;
  /** Replies `error {code, message}` to `member` only. */
  refuse(member: Member, code: ErrorCode, message: string): void;
  /** Members of `room` connected to this process. */
  members(room: string): Member[];
  /** Rooms with at least one member on this process. */
  rooms(): string[];
  /** Ids of this process's peers whose place is held for a resume. */
  held(): string[];
  /** Releases what the relay holds (Redis connections in cluster mode). */
  close(): Promise<void>;
}

/** Cluster settings of {@link createRelay}: everything of {@link ClusterRelayOptions} but what the server sets. */
export type ClusterSettings = Omit<ClusterRelayOptions, 'capacity' | 'maxRooms' | 'onTrace' | 'resumeGraceMs' | 'resumeTokens'>;

/** Options of {@link createRelay}. */
export interface CreateRelayOptions {
  capacity: number;
  /** Most rooms at once (per process in cluster mode: rooms with a peer on this process). */
  maxRooms?: number;
  onTrace?: (event: RelayTrace) => void;
  /** Resume grace period in ms (0: none). */
  resumeGraceMs: number;
  /** Resume tokens; in cluster mode every process must share their secret. */
  resumeTokens: ResumeTokens;
  /** When set, cluster mode through Redis; otherwise rooms live in this process's memory. */
  cluster?: ClusterSettings;
}

/**
 * Creates the relay the server runs: in memory, or shared through Redis when `cluster` is set.
 * @throws TypeError for bad options; Error when cluster mode cannot reach Redis.
 */
export async function createRelay(options: CreateRelayOptions): Promise<SignalingRelay> {
  const { capacity, maxRooms, onTrace, resumeGraceMs, resumeTokens } = options;
  if (options.cluster) return ClusterRelay.start({ ...options.cluster, capacity, maxRooms, onTrace, resumeGraceMs, resumeTokens });
  const relay = new Relay({ capacity, maxRooms, onTrace, resumeGraceMs, resumeTokens });
  return {
    capacity: relay.capacity,
    connect: (connection) => relay.connect(connection),
    receive: (member, frame) => relay.receive(member, frame),
    handle: (member, message, frame) => relay.handle(member, message, frame),
    forward: (member, to, frame) => relay.forward(member, to, frame),
    disconnect: (member, info) => relay.disconnect(member, info),
    refuse: (member, code, message) => relay.refuse(member, code, message),
    members: (room) => relay.members(room),
    rooms: () => relay.rooms(),
    held: () => relay.held(),
    close: async () => relay.close(),
  };
}
