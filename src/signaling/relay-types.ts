/**
 * The types around the signaler's room relay ({@link Relay} in `./relay`): what it needs from a
 * connection, what it knows of a member, its options, and what it reports.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import type { ClientMessage, ErrorCode, ServerMessage } from './protocol';
import type { ResumeTokens } from './resume';

/** The one thing the relay needs from a connection: a way to send it a text frame. */
export interface RelayConnection {
  /** Sends one JSON text frame to this client. Must not throw (drop it if the socket is closing). */
  send(text: string): void;
  /** Sends one JSON text frame as its UTF-8 bytes: the `frame` of {@link Relay.handle}. Optional: else `send` gets the text. */
  sendBytes?(frame: Uint8Array): void;
  /**
   * Closes the connection (the relay does when a resumed connection replaces this one, code
   * 4000). Optional: without it the old connection is only detached from its peer id.
   */
  close?(code: number, reason: string): void;
}

/** One connected client, as the relay tracks it. */
export interface Member {
  /**
   * Server-assigned peer id (16 URL-safe base64 characters). It changes once at most: when a
   * `join` with a valid resume token gives this connection its old id back.
   */
  id: string;
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
  /**
   * How long, in ms, the place of a peer whose connection dropped (without `leave`) is held for a
   * `join {room, resume}` that gives it back; after it the room is told `peer-left`.
   * Default 0: no grace, `peer-left` at once (the server sets 20 000).
   */
  resumeGraceMs?: number;
  /** Issues and checks resume tokens. Default: a {@link MemoryResumeTokens}. */
  resumeTokens?: ResumeTokens;
  /** Most relayed bytes kept for a held peer until it resumes; older ones are dropped. Default 256 KiB. */
  heldBacklogBytes?: number;
}

/** How a connection ended, as the transport saw it. */
export interface DisconnectInfo {
  /**
   * True when the client closed on purpose (a close frame with 1000, 1001 or no code): the room is
   * told `peer-left` at once. False (a drop, a reset, a dead heartbeat): the peer's place is held
   * for the resume grace period.
   */
  clean: boolean;
}

/** What the relay did with one frame: for logs, tests and the call page's sequence diagram. */
export type RelayTrace =
  | { kind: 'in'; from: string; message: ClientMessage }
  | { kind: 'out'; to: string; message: ServerMessage }
  | { kind: 'refused'; from: string; code: ErrorCode; message: string }
  /** `id`'s connection dropped; its place in `room` is held for the grace period. */
  | { kind: 'held'; id: string; room: string }
  /** `id` came back with its resume token (`replaced`: its old connection was still open). */
  | { kind: 'resumed'; id: string; room: string; replaced: boolean }
  /** The grace period of `id` ran out: it left `room`. */
  | { kind: 'expired'; id: string; room: string };
