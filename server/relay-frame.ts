/**
 * The relay's fast path for ICE candidates and byes: a frame in canonical form is checked by one
 * anchored regular expression, without `JSON.parse`, and the relayed frame is built from the sender's
 * own bytes (`from` spliced in, `to` cut out) and sent as a Buffer, so no object is made and nothing
 * is encoded again on the way.
 *
 * Safety: {@link spliceSignal} accepts a frame only when it is exactly the canonical JSON (what
 * `JSON.stringify` writes, with `to` first or last) of a message that `parseClientMessage` accepts:
 * the same members in the parser's order, within the same limits (peer and call id patterns,
 * `sdpMLineIndex` 0–1023, string lengths: counted here in bytes, which is never more lenient than the
 * validator's UTF-16 count; a frame over {@link MAX_FAST_FRAME_BYTES} is left to the parser), with no
 * whitespace, no escapes, no control characters, no duplicate, extra or reordered keys, no `-0`, `1.0`
 * or `1e0`. So its output is byte for byte what `encodeSignal` writes for the relayed message, and a
 * receiver never gets anything the validator would not accept. Any other frame gives `null`: the
 * signaler then parses and validates it as usual (and re-encodes it, or refuses it with a typed
 * `error`). The unit tests hold the two to each other on 20,000 seeded mutations.
 *
 * Why no escape means canonical strings: `JSON.stringify` escapes only `"`, `\`, control characters
 * and lone surrogates. A string without `"`, `\` and control characters written raw holds none of
 * them (`ws` closes a text frame that is not valid UTF-8 with 1007 before it gets here, so a lone
 * surrogate cannot be in it), so its canonical literal is its raw text between quotes.
 *
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md#websocketsenddata-options-callback
 * @see https://tc39.es/ecma262/#sec-quotejsonstring
 */
import { MAX_CANDIDATE_LENGTH } from '../src/signaling/protocol';

/** A frame {@link spliceSignal} accepted: the peer it is for, and the frame to send that peer. */
export interface SplicedSignal {
  /** The recipient's peer id (the frame's `to`). */
  to: string;
  /** The relayed frame as UTF-8 bytes: `{"type":…,"from":"<from>",<body>}`. */
  frame: Buffer;
}

/**
 * Longest frame the fast path looks at, in bytes: every string in it is then shorter than the
 * validator's longest candidate line (2048), so only `sdpMid` (64) and `usernameFragment` (256) need
 * their own bound. Real candidates are 150–400 bytes.
 */
export const MAX_FAST_FRAME_BYTES = MAX_CANDIDATE_LENGTH;

/** A JSON string that needs no escape (its value is its raw text), unbounded (the frame bounds it). */
const STR = '"[^"\\\\\\x00-\\x1f]*"';
/** The same, at most `n` bytes (the frame is matched as Latin-1: one character per byte). */
const strMax = (n: number) => `"[^"\\\\\\x00-\\x1f]{0,${n}}"`;
/** A peer id or call id (`PEER_ID_PATTERN`, `CALL_ID_PATTERN`). */
const ID = '"[A-Za-z0-9_-]{8,64}"';
/** A validated candidate's members in the parser's order; sdpMLineIndex 0–1023 as `String(n)` writes it. */
const CANDIDATE_BODY = `"candidate":(?:null|\\{"candidate":${STR}(?:,"sdpMid":(?:null|${strMax(64)}))?(?:,"sdpMLineIndex":(?:null|0|[1-9][0-9]{0,2}|10[01][0-9]|102[0-3]))?(?:,"usernameFragment":(?:null|${strMax(256)}))?\\})`;
const BYE_BODY = `"callId":${ID}`;
const frameOf = (type: string, body: string, toFirst: boolean) =>
  new RegExp(toFirst ? `^\\{"type":"${type}","to":${ID},${body}\\}$` : `^\\{"type":"${type}",${body},"to":${ID}\\}$`);

/**
 * The canonical frames of a candidate and a bye for one peer, `to` first and `to` last (the pages
 * send it last): `{"type":…,"to":…,<body>}` or `{"type":…,<body>,"to":…}`, each member once, in order, unescaped.
 */
export const CANONICAL_FRAMES = {
  candidate: { toFirst: frameOf('candidate', CANDIDATE_BODY, true), toLast: frameOf('candidate', CANDIDATE_BODY, false) },
  bye: { toFirst: frameOf('bye', BYE_BODY, true), toLast: frameOf('bye', BYE_BODY, false) },
} as const;

const HEAD = { candidate: '{"type":"candidate",', bye: '{"type":"bye",' } as const;
/** `{"type":"<type>","from":"` as bytes, per type. */
const OUT_HEAD = { candidate: Buffer.from('{"type":"candidate","from":"'), bye: Buffer.from('{"type":"bye","from":"') } as const;
const TO_KEY = '"to":"';
const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE = 0x7d;

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
 *   `to`, not canonical, over {@link MAX_FAST_FRAME_BYTES}, or invalid (the caller parses it then,
 *   and refuses or re-encodes it).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/send
 */
export function spliceSignal(frame: Buffer, from: string): SplicedSignal | null {
  if (frame.length > MAX_FAST_FRAME_BYTES) return null;
  // Latin-1: one character per byte, so string offsets are byte offsets (UTF-8 bytes of non-ASCII
  // text only ever match the regex's "any other character" class, as they should).
  const text = frame.toString('latin1');
  const type = text.startsWith(HEAD.candidate) ? 'candidate' : text.startsWith(HEAD.bye) ? 'bye' : null;
  if (type === null) return null;
  const afterHead = HEAD[type].length;
  const toFirst = text.startsWith(TO_KEY, afterHead);
  if (!CANONICAL_FRAMES[type][toFirst ? 'toFirst' : 'toLast'].test(text)) return null;
  let to: string, start: number, end: number;
  if (toFirst) {
    // {"type":…,"to":"<id>",<body>}
    const close = text.indexOf('"', afterHead + TO_KEY.length);
    to = text.slice(afterHead + TO_KEY.length, close);
    start = close + 2;
    end = text.length - 1;
  } else {
    // {"type":…,<body>,"to":"<id>"}: the id's opening quote is the last quote before its closing one.
    const open = text.lastIndexOf('"', text.length - 3);
    to = text.slice(open + 1, text.length - 2);
    start = afterHead;
    end = open - TO_KEY.length;
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
  return { to, frame: out };
}
