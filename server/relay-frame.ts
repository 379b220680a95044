/**
 * The relay's fast path for ICE candidates and byes: a frame in canonical form is checked byte by
 * byte, without `JSON.parse`, and the relayed frame is built from the sender's own bytes (`from`
 * spliced in, `to` cut out) and sent as a Buffer, so no object, string or re-encode is made on the way.
 *
 * Safety: {@link spliceSignal} accepts a frame only when it is exactly the canonical JSON (what
 * `JSON.stringify` writes, with `to` first or last) of a message that `parseClientMessage` accepts:
 * the same members in the parser's order, the same limits (string lengths in UTF-16 code units, peer
 * and call id patterns, `sdpMLineIndex` 0–1023), no whitespace, no escapes, no control characters,
 * no duplicate, extra or reordered keys, no `-0`, `1.0` or `1e0`. So its output is byte for byte what
 * `encodeSignal` writes for the relayed message, and a receiver never gets anything the validator
 * would not accept. Any other frame gives `null`: the signaler then parses and validates it as usual
 * (and re-encodes it, or refuses it with a typed `error`). The unit tests hold the two to each other
 * on 20,000 seeded mutations.
 *
 * Why no escape means canonical strings: `JSON.stringify` escapes only `"`, `\`, control characters
 * and lone surrogates. A string without `"`, `\` and control characters written raw holds none of
 * them (`ws` closes a text frame that is not valid UTF-8 with 1007 before it gets here, so a lone
 * surrogate cannot be in it), so its canonical literal is its raw text between quotes.
 *
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md#websocketsenddata-options-callback
 * @see https://tc39.es/ecma262/#sec-quotejsonstring
 */
import { MAX_CALL_ID_LENGTH } from '../src/signaling/call-id';
import { MAX_CANDIDATE_LENGTH } from '../src/signaling/protocol';

/** A frame {@link spliceSignal} accepted: the peer it is for, and the frame to send that peer. */
export interface SplicedSignal {
  /** The recipient's peer id (the frame's `to`). */
  to: string;
  /** The relayed frame as UTF-8 bytes: `{"type":…,"from":"<from>",<body>}`. */
  frame: Buffer;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const CANDIDATE_HEAD = bytes('{"type":"candidate",');
const BYE_HEAD = bytes('{"type":"bye",');
const OUT_HEAD = { candidate: bytes('{"type":"candidate","from":"'), bye: bytes('{"type":"bye","from":"') } as const;
const TO_KEY = bytes('"to":"');
const CANDIDATE_KEY = bytes('"candidate":');
const INNER_CANDIDATE_KEY = bytes('{"candidate":');
const SDP_MID_KEY = bytes(',"sdpMid":');
const SDP_MLINE_INDEX_KEY = bytes(',"sdpMLineIndex":');
const USERNAME_FRAGMENT_KEY = bytes(',"usernameFragment":');
const CALL_ID_KEY = bytes('"callId":"');
const NULL = bytes('null');
/** Longest `sdpMid` and `usernameFragment` the validator accepts, in UTF-16 code units. */
const MAX_SDP_MID = 64;
const MAX_USERNAME_FRAGMENT = 256;
/** Peer ids and call ids: `[A-Za-z0-9_-]{8,64}` (`PEER_ID_PATTERN`, `CALL_ID_PATTERN`). */
const MIN_ID = 8;
const MAX_ID = 64;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;

/** Whether `f` holds `lit` at `i`. */
function has(f: Buffer, i: number, lit: Buffer): boolean {
  if (i + lit.length > f.length) return false;
  for (let k = 0; k < lit.length; k++) if (f[i + k] !== lit[k]) return false;
  return true;
}

/** An id character: `[A-Za-z0-9_-]`. */
function isIdByte(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= ZERO && b <= NINE) || b === 0x5f || b === 0x2d;
}

/** The index of the quote that ends an id starting at `i` (8 to 64 id characters), or -1. */
function idEnd(f: Buffer, i: number): number {
  let k = i;
  while (k < f.length && k - i <= MAX_ID && isIdByte(f[k] ?? 0)) k++;
  return f[k] === QUOTE && k - i >= MIN_ID && k - i <= MAX_ID ? k : -1;
}

/**
 * The index after a string literal whose opening quote is at `i` and that needs no escape, at most
 * `max` UTF-16 code units long, or -1. Counts UTF-16 units from valid UTF-8: one per byte that starts a
 * character, and a second for a 4-byte character (a surrogate pair).
 */
function stringEnd(f: Buffer, i: number, max: number): number {
  if (f[i] !== QUOTE) return -1;
  let units = 0;
  for (let k = i + 1; k < f.length; k++) {
    const b = f[k] ?? 0;
    if (b === QUOTE) return units <= max ? k + 1 : -1;
    if (b === BACKSLASH || b < 0x20) return -1;
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
  }
  return -1;
}

function nullOrStringEnd(f: Buffer, i: number, max: number): number {
  return has(f, i, NULL) ? i + NULL.length : stringEnd(f, i, max);
}

/** The index after `null` or an integer 0–1023 written as `String(n)` writes it, or -1. */
function nullOrIndexEnd(f: Buffer, i: number): number {
  if (has(f, i, NULL)) return i + NULL.length;
  if (f[i] === ZERO) return i + 1;
  let k = i;
  let n = 0;
  while (k < f.length && k - i < 4 && (f[k] ?? 0) >= ZERO && (f[k] ?? 0) <= NINE) n = n * 10 + (f[k++] ?? 0) - ZERO;
  return k > i && n < 1024 ? k : -1;
}

/** The index after a candidate message's body (`"candidate":null` or `"candidate":{…}`) starting at `i`, or -1. */
function candidateBodyEnd(f: Buffer, i: number): number {
  if (!has(f, i, CANDIDATE_KEY)) return -1;
  let k = i + CANDIDATE_KEY.length;
  if (has(f, k, NULL)) return k + NULL.length;
  if (!has(f, k, INNER_CANDIDATE_KEY)) return -1;
  k = stringEnd(f, k + INNER_CANDIDATE_KEY.length, MAX_CANDIDATE_LENGTH);
  if (k > 0 && has(f, k, SDP_MID_KEY)) k = nullOrStringEnd(f, k + SDP_MID_KEY.length, MAX_SDP_MID);
  if (k > 0 && has(f, k, SDP_MLINE_INDEX_KEY)) k = nullOrIndexEnd(f, k + SDP_MLINE_INDEX_KEY.length);
  if (k > 0 && has(f, k, USERNAME_FRAGMENT_KEY)) k = nullOrStringEnd(f, k + USERNAME_FRAGMENT_KEY.length, MAX_USERNAME_FRAGMENT);
  return k > 0 && f[k] === CLOSE ? k + 1 : -1;
}

/** The index after a bye's body (`"callId":"<call id>"`) starting at `i`, or -1. */
function byeBodyEnd(f: Buffer, i: number): number {
  if (!has(f, i, CALL_ID_KEY)) return -1;
  const end = idEnd(f, i + CALL_ID_KEY.length);
  return end > 0 && end - i - CALL_ID_KEY.length <= MAX_CALL_ID_LENGTH ? end + 1 : -1;
}

/**
 * Checks a client's frame for the fast path and splices its relayed frame, without parsing it.
 *
 * Accepted: `{"type":"candidate",<to>,<body>}`, `{"type":"candidate",<body>,<to>}` and the same for
 * `bye`, in canonical form (see the file header), where `<to>` is `"to":"<peer id>"`. Output:
 * `{"type":"<type>","from":"<from>",<body>}`, byte for byte what `encodeSignal` writes for the relayed
 * message (as UTF-8).
 *
 * @param frame a text frame as `ws` delivered it (valid UTF-8: `ws` checks).
 * @param from the sender's peer id (server-made, URL-safe base64: needs no escape).
 * @returns the recipient and relayed frame, or `null` for anything else: not a candidate or bye, no
 *   `to`, not canonical, or invalid (the caller parses it then, and refuses or re-encodes it).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/send
 */
export function spliceSignal(frame: Buffer, from: string): SplicedSignal | null {
  const type = has(frame, 0, CANDIDATE_HEAD) ? 'candidate' : has(frame, 0, BYE_HEAD) ? 'bye' : null;
  if (type === null) return null;
  const bodyEnd = type === 'candidate' ? candidateBodyEnd : byeBodyEnd;
  const afterHead = type === 'candidate' ? CANDIDATE_HEAD.length : BYE_HEAD.length;
  const last = frame.length - 1;
  if (frame[last] !== CLOSE) return null;
  let toStart: number, toEnd: number, start: number, end: number;
  if (has(frame, afterHead, TO_KEY)) {
    // `to` first: {"type":…,"to":"<id>",<body>}
    toStart = afterHead + TO_KEY.length;
    toEnd = idEnd(frame, toStart);
    if (toEnd < 0 || frame[toEnd + 1] !== COMMA) return null;
    start = toEnd + 2;
    end = bodyEnd(frame, start);
    if (end !== last) return null;
  } else {
    // `to` last: {"type":…,<body>,"to":"<id>"}
    start = afterHead;
    end = bodyEnd(frame, start);
    if (end < 0 || frame[end] !== COMMA || !has(frame, end + 1, TO_KEY)) return null;
    toStart = end + 1 + TO_KEY.length;
    toEnd = idEnd(frame, toStart);
    if (toEnd < 0 || toEnd + 1 !== last) return null;
  }
  const head = OUT_HEAD[type];
  const out = Buffer.allocUnsafe(head.length + from.length + 2 + (end - start) + 1);
  head.copy(out, 0);
  let at = head.length;
  for (let i = 0; i < from.length; i++) out[at++] = from.charCodeAt(i);
  out[at++] = QUOTE;
  out[at++] = COMMA;
  frame.copy(out, at, start, end);
  out[out.length - 1] = CLOSE;
  return { to: frame.toString('latin1', toStart, toEnd), frame: out };
}
