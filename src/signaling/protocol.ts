/**
 * The signaling protocol: every JSON message the playground's clients and the signaler exchange,
 * as one discriminated union on `type`, plus parsers that turn an untrusted frame into a typed
 * message or a typed error. Imported by the pages (`src/`) and by the server (`server/`).
 *
 * Each message is documented with an example in `docs/protocol.md`.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */

import { progressFields, type ProgressMessage, type RelayedProgress } from './progress';
import { relayedSignal } from './relayed';
import { MAX_RESUME_TOKEN_LENGTH, RESUME_TOKEN_PATTERN } from './resume';
import { CALL_ID_PATTERN, MAX_CALL_ID_LENGTH } from './call-id';

export type { ProgressMessage, RelayedProgress };
export { encodeSignal, relayedSignal } from './relayed';

/** Largest frame the signaler accepts, in bytes (64 KiB); a larger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
// Room names live in a module of their own: the pages read `?room=` before loading the protocol.
import { MAX_ROOM_LENGTH, ROOM_PATTERN } from './room-pattern';
export { MAX_ROOM_LENGTH, ROOM_PATTERN };
/** Longest display name, in characters. */
export const MAX_NAME_LENGTH = 64;
/** Longest SDP accepted, in characters (fits in one frame with its envelope). */
export const MAX_SDP_LENGTH = 60_000;
/** Longest ICE candidate line accepted, in characters. */
export const MAX_CANDIDATE_LENGTH = 2048;

/** Peer ids: assigned by the server, 8–64 URL-safe base64 characters. */
export const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** A peer as the server describes it to others. `name` is untrusted text: render with `textContent`. */
export interface PeerInfo {
  /** Server-assigned, random, unguessable id. */
  id: string;
  /** Optional display name the peer chose (0–64 characters). */
  name?: string;
}

/**
 * An ICE candidate as carried in signaling: the JSON form of `RTCIceCandidate`
 * (`RTCIceCandidateInit`). `null` in a `candidate` message means "end of candidates".
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/toJSON
 */
export interface IceCandidateJSON {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export { MAX_RESUME_TOKEN_LENGTH, RESUME_TOKEN_PATTERN, CALL_ID_PATTERN, MAX_CALL_ID_LENGTH };

// ---------------------------------------------------------------- client -> server

/**
 * Join `room` (client → server). The server answers `welcome`, or `error` (`room-full`, …).
 * `resume` is the token of an earlier `welcome` in the same room: within the server's grace period
 * it gives back the same peer id, and the others see no `peer-left`/`peer-joined`. A wrong or
 * expired token is ignored (a plain join).
 */
export interface JoinMessage { type: 'join'; room: string; name?: string; resume?: string }
/**
 * An SDP offer for `to`, or for every other peer of the room when `to` is omitted. `callId`: the
 * id of the call it belongs to (chosen by whoever starts the call; see `./call-id`). Optional: the
 * signaler does not need it; a page always sends it.
 */
export interface OfferMessage { type: 'offer'; to?: string; callId?: string; sdp: string }
/** An SDP answer for `to` (or every other peer); `callId` as on {@link OfferMessage}. */
export interface AnswerMessage { type: 'answer'; to?: string; callId?: string; sdp: string }
/** An ICE candidate for `to` (or every other peer); `candidate: null` is end-of-candidates. */
export interface CandidateMessage { type: 'candidate'; to?: string; candidate: IceCandidateJSON | null }
/**
 * Hang up the call `callId` with `to` (or every other peer); the sender stays in the room. The
 * receiver ignores a `bye` whose `callId` is not its current call's (a late one for an earlier call).
 */
export interface ByeMessage { type: 'bye'; to?: string; callId: string }
/** Leave the room; the others get `peer-left`. */
export interface LeaveMessage { type: 'leave' }

/** Every message a client may send to the signaler. */
export type ClientMessage =
  | JoinMessage
  | OfferMessage
  | AnswerMessage
  | CandidateMessage
  | ByeMessage
  | LeaveMessage
  | ProgressMessage;

// ---------------------------------------------------------------- server -> client

/** Reply to `join`: the id the server gave you and the peers already in the room. */
export interface WelcomeMessage {
  type: 'welcome';
  id: string;
  room: string;
  peers: PeerInfo[];
  /** How many peers the room holds at most. */
  capacity: number;
  /**
   * Your resume token for this id and room: send it as `join {room, resume}` after a reconnect
   * to get the same id back. Secret: never show it to anyone else.
   */
  resume?: string;
  /** True when this welcome answers a `join` with a valid `resume` token (the id is your old one). */
  resumed?: boolean;
  /**
   * The server's resume grace period in ms (absent: none). A peer that dropped keeps its place
   * this long; after a server restart, a peer of yours that has not come back within it is gone.
   */
  resumeGraceMs?: number;
}
/** Another peer joined your room. */
export interface PeerJoinedMessage { type: 'peer-joined'; peer: PeerInfo }
/** A peer left your room (leave, closed tab or dead connection). */
export interface PeerLeftMessage { type: 'peer-left'; id: string }
/** A relayed offer; `from` is set by the server, `callId` is the sender's (when it gave one). */
export interface RelayedOffer { type: 'offer'; from: string; callId?: string; sdp: string }
/** A relayed answer; `from` is set by the server, `callId` is the sender's (when it gave one). */
export interface RelayedAnswer { type: 'answer'; from: string; callId?: string; sdp: string }
/** A relayed ICE candidate; `from` is set by the server. */
export interface RelayedCandidate { type: 'candidate'; from: string; candidate: IceCandidateJSON | null }
/** A relayed hang-up of call `callId`; `from` is set by the server. */
export interface RelayedBye { type: 'bye'; from: string; callId: string }

/** Machine-readable error codes of `error` messages. */
export type ErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'room-full'
  | 'not-in-room'
  | 'already-in-room'
  | 'unknown-peer'
  /** The sender sent more than its rate limit allows; slow down (sustained flooding closes with 1008). */
  | 'rate-limited'
  /** The server holds as many connections as it allows; the connection is closed (1013). */
  | 'server-full'
  /** Too many connections from the sender's address; the connection is closed (1013). */
  | 'too-many-connections'
  /** The server holds as many rooms as it allows; join an existing room or try later. */
  | 'too-many-rooms';

/** Every error code, for validation and docs. */
export const ERROR_CODES: readonly ErrorCode[] = [
  'bad-json', 'bad-message', 'room-full', 'not-in-room', 'already-in-room', 'unknown-peer',
  'rate-limited', 'server-full', 'too-many-connections', 'too-many-rooms',
];

/** Something the sender did was refused. The connection stays open. */
export interface ErrorMessage { type: 'error'; code: ErrorCode; message: string }

/** Every message the signaler may send to a client. */
export type ServerMessage =
  | WelcomeMessage
  | PeerJoinedMessage
  | PeerLeftMessage
  | RelayedOffer
  | RelayedAnswer
  | RelayedCandidate
  | RelayedBye
  | RelayedProgress
  | ErrorMessage;

/** A relayed signal (what one peer sends another through the server). */
export type RelayedSignal = RelayedOffer | RelayedAnswer | RelayedCandidate | RelayedBye | RelayedProgress;

/** A problem found while parsing a frame: the code and text an `error` reply carries. */
export interface ProtocolError { code: 'bad-json' | 'bad-message'; message: string }

/** Result of parsing an untrusted frame. */
export type ParseResult<M> = { ok: true; message: M } | { ok: false; error: ProtocolError };

// ---------------------------------------------------------------- parsing

type Obj = Record<string, unknown>;

class Invalid extends Error {}
const invalid = (why: string): never => { throw new Invalid(why); };

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, max: number, pattern?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Invalid(`"${key}" must be a string`);
  if (v.length > max) throw new Invalid(`"${key}" is longer than ${max} characters`);
  if (pattern && !pattern.test(v)) throw new Invalid(`"${key}" has an invalid format`);
  return v;
}

function optStr(o: Obj, key: string, max: number, pattern?: RegExp): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, max, pattern);
}

function withOpt<T extends object>(base: T, key: string, value: unknown): T {
  return value === undefined ? base : { ...base, [key]: value };
}

function candidate(o: Obj): IceCandidateJSON | null {
  const c = o.candidate;
  if (c === null) return null;
  if (!isObject(c)) throw new Invalid('"candidate" must be an object or null');
  const line = str(c, 'candidate', MAX_CANDIDATE_LENGTH);
  const out: IceCandidateJSON = { candidate: line };
  if (c.sdpMid !== undefined) {
    if (c.sdpMid !== null && (typeof c.sdpMid !== 'string' || c.sdpMid.length > 64)) {
      throw new Invalid('"candidate.sdpMid" must be a short string or null');
    }
    out.sdpMid = c.sdpMid;
  }
  if (c.sdpMLineIndex !== undefined) {
    const i = c.sdpMLineIndex;
    if (i !== null && !(typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < 1024)) {
      throw new Invalid('"candidate.sdpMLineIndex" must be a small non-negative integer or null');
    }
    out.sdpMLineIndex = i;
  }
  if (c.usernameFragment !== undefined) {
    const u = c.usernameFragment;
    if (u !== null && (typeof u !== 'string' || u.length > 256)) {
      throw new Invalid('"candidate.usernameFragment" must be a string or null');
    }
    out.usernameFragment = u;
  }
  return out;
}

function decode(frame: unknown): Obj {
  let value: unknown = frame;
  if (typeof frame === 'string') {
    try {
      value = JSON.parse(frame);
    } catch {
      throw new BadJson();
    }
  }
  if (!isObject(value)) throw new Invalid('a message must be a JSON object');
  if (typeof value.type !== 'string') throw new Invalid('"type" must be a string');
  return value;
}

class BadJson extends Error {}

function guard<M>(frame: unknown, parse: (o: Obj) => M): ParseResult<M> {
  try {
    return { ok: true, message: parse(decode(frame)) };
  } catch (err) {
    if (err instanceof BadJson) return { ok: false, error: { code: 'bad-json', message: 'the frame is not valid JSON' } };
    if (err instanceof Invalid) return { ok: false, error: { code: 'bad-message', message: err.message } };
    throw err;
  }
}

const to = (o: Obj) => optStr(o, 'to', 64, PEER_ID_PATTERN);
const from = (o: Obj) => str(o, 'from', 64, PEER_ID_PATTERN);
const callId = (o: Obj) => str(o, 'callId', MAX_CALL_ID_LENGTH, CALL_ID_PATTERN);
const optCallId = (o: Obj) => optStr(o, 'callId', MAX_CALL_ID_LENGTH, CALL_ID_PATTERN);
const sdp = (o: Obj) => {
  const s = str(o, 'sdp', MAX_SDP_LENGTH);
  if (!s.startsWith('v=0')) throw new Invalid('"sdp" must be an SDP text starting with "v=0"');
  return s;
};

function peerInfo(v: unknown): PeerInfo {
  if (!isObject(v)) throw new Invalid('a peer must be an object');
  return withOpt({ id: str(v, 'id', 64, PEER_ID_PATTERN) }, 'name', optStr(v, 'name', MAX_NAME_LENGTH));
}

/**
 * Parses a frame a client sent to the signaler (server side).
 *
 * @param frame the raw text of a WebSocket frame (or an already-decoded JSON value).
 * @returns `{ ok: true, message }` with a well-formed {@link ClientMessage} (unknown extra fields
 *   dropped), or `{ ok: false, error }` with code `bad-json` (not JSON) or `bad-message`
 *   (wrong shape: not an object, unknown `type`, missing or wrong-typed field, over-long room).
 *   Never throws on input.
 */
export function parseClientMessage(frame: unknown): ParseResult<ClientMessage> {
  return guard(frame, (o): ClientMessage => {
    const type = o.type as ClientMessage['type'];
    switch (type) {
      case 'join': {
        const room = str(o, 'room', MAX_ROOM_LENGTH);
        if (!ROOM_PATTERN.test(room)) throw new Invalid('"room" may only hold letters, digits, "-", "_" and "."');
        const name = optStr(o, 'name', MAX_NAME_LENGTH);
        // A token of the wrong shape can never verify: the join goes on as a plain join.
        const token = o.resume;
        if (token !== undefined && typeof token !== 'string') throw new Invalid('"resume" must be a string');
        const resume = token !== undefined && token.length <= MAX_RESUME_TOKEN_LENGTH && RESUME_TOKEN_PATTERN.test(token) ? token : undefined;
        return withOpt(withOpt({ type, room }, 'name', name?.trim() || undefined), 'resume', resume);
      }
      case 'offer':
      case 'answer': {
        // The hot path of the relay: plain object literals (no spreads) keep it cheap.
        const body = sdp(o);
        const target = to(o), id = optCallId(o);
        if (id !== undefined) return target === undefined ? { type, callId: id, sdp: body } : { type, to: target, callId: id, sdp: body };
        return target === undefined ? { type, sdp: body } : { type, to: target, sdp: body };
      }
      case 'candidate': {
        const c = candidate(o);
        const target = to(o);
        return target === undefined ? { type, candidate: c } : { type, to: target, candidate: c };
      }
      case 'bye': {
        const id = callId(o), target = to(o);
        return target === undefined ? { type, callId: id } : { type, to: target, callId: id };
      }
      case 'leave':
        return { type };
      case 'progress': {
        const p = progressFields(o, invalid), target = to(o);
        return target === undefined ? { type, ...p } : { type, to: target, ...p };
      }
      default:
        throw new Invalid(`unknown message type "${String(o.type).slice(0, 32)}"`);
    }
  });
}

/**
 * Parses a frame the signaler sent (client side). Same contract as {@link parseClientMessage},
 * for {@link ServerMessage}.
 */
export function parseServerMessage(frame: unknown): ParseResult<ServerMessage> {
  return guard(frame, (o): ServerMessage => {
    const type = o.type as ServerMessage['type'];
    switch (type) {
      case 'welcome': {
        if (!Array.isArray(o.peers)) throw new Invalid('"peers" must be an array');
        const capacity = o.capacity;
        if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
          throw new Invalid('"capacity" must be a positive integer');
        }
        if (o.resumed !== undefined && typeof o.resumed !== 'boolean') throw new Invalid('"resumed" must be a boolean');
        const welcome: WelcomeMessage = {
          type,
          id: str(o, 'id', 64, PEER_ID_PATTERN),
          room: str(o, 'room', MAX_ROOM_LENGTH, ROOM_PATTERN),
          peers: o.peers.map(peerInfo),
          capacity,
        };
        const resume = optStr(o, 'resume', MAX_RESUME_TOKEN_LENGTH, RESUME_TOKEN_PATTERN);
        if (resume !== undefined) welcome.resume = resume;
        if (o.resumed === true) welcome.resumed = true;
        const grace = o.resumeGraceMs;
        if (grace !== undefined) {
          if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 1 || grace > 3_600_000) throw new Invalid('"resumeGraceMs" must be an integer from 1 to 3600000');
          welcome.resumeGraceMs = grace;
        }
        return welcome;
      }
      case 'peer-joined':
        return { type, peer: peerInfo(o.peer) };
      case 'peer-left':
        return { type, id: str(o, 'id', 64, PEER_ID_PATTERN) };
      case 'offer':
      case 'answer':
        return relayedSignal(from(o), { type, callId: optCallId(o), sdp: sdp(o) });
      case 'candidate':
        return { type, from: from(o), candidate: candidate(o) };
      case 'bye':
        return { type, from: from(o), callId: callId(o) };
      case 'progress':
        return { type, from: from(o), ...progressFields(o, invalid) };
      case 'error': {
        const code = str(o, 'code', 32) as ErrorCode;
        if (!ERROR_CODES.includes(code)) throw new Invalid(`unknown error code "${code}"`);
        return { type, code, message: str(o, 'message', 1024) };
      }
      default:
        throw new Invalid(`unknown message type "${String(o.type).slice(0, 32)}"`);
    }
  });
}

/** Serialises a message for the wire (one JSON text per WebSocket frame). */
export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
