/**
 * The relay's fast path for ICE candidates and byes: the relayed frame is built from the sender's own
 * bytes (`from` spliced in, `to` cut out) instead of re-encoding the parsed message, and it is sent as
 * a Buffer, so no string is built, flattened or encoded again on the way out.
 *
 * Safety: every frame is still parsed and validated first (`parseClientMessage`), and only a frame
 * the validator accepted is looked at. It is spliced only when its text is exactly the canonical
 * JSON of what the validator returned (what `JSON.stringify` writes, with `to` first or last; see
 * {@link CANONICAL}): no whitespace, no escapes, no duplicate, extra or reordered keys, no `-0`,
 * `1.0` or `1e0`. Then the spliced frame is byte for byte what `encodeSignal` writes for the relayed
 * message, so a receiver never gets anything the validator did not accept. Any other frame gives
 * `null`, and the relay encodes the parsed message as before.
 *
 * Why no escape means canonical strings: `JSON.stringify` escapes only `"`, `\`, control characters
 * and lone surrogates. A string without `"` and `\` in a frame that parsed holds none of them (JSON
 * text cannot hold control characters raw, and `ws` closes a text frame that is not valid UTF-8 with
 * 1007 before it gets here), so its canonical literal is its raw text between quotes.
 *
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md#websocketsenddata-options-callback
 * @see https://tc39.es/ecma262/#sec-quotejsonstring
 */
import type { ClientMessage } from '../src/signaling/protocol';

/** A JSON string that needs no escape (its value is its raw text). */
const STR = '"[^"\\\\]*"';
const NULL_OR_STR = `(?:null|${STR})`;
/** A peer id as `to`, the way the validator accepts it (`PEER_ID_PATTERN`). */
const TO = '"to":"[A-Za-z0-9_-]{8,64}"';
/** A validated candidate's members in the parser's order; sdpMLineIndex as `String(n)` writes it. */
const CANDIDATE_BODY = `"candidate":(?:null|\\{"candidate":${STR}(?:,"sdpMid":${NULL_OR_STR})?(?:,"sdpMLineIndex":(?:null|0|[1-9][0-9]{0,3}))?(?:,"usernameFragment":${NULL_OR_STR})?\\})`;
const BYE_BODY = `"callId":${STR}`;
const shape = (type: string, body: string) => new RegExp(`^\\{"type":"${type}",(?:${TO},${body}|${body},${TO})\\}$`);

/**
 * The canonical frames of a candidate and a bye for one peer: `{"type":…,"to":…,<body>}` or
 * `{"type":…,<body>,"to":…}` (the pages send `to` last), each member once, in order, unescaped.
 */
export const CANDIDATE_FRAME = shape('candidate', CANDIDATE_BODY);
/** See {@link CANDIDATE_FRAME}. */
export const BYE_FRAME = shape('bye', BYE_BODY);
const CANONICAL = { candidate: CANDIDATE_FRAME, bye: BYE_FRAME } as const;

/** `{"type":"<type>","from":"` as bytes, per type. */
const HEADS = { candidate: Buffer.from('{"type":"candidate","from":"'), bye: Buffer.from('{"type":"bye","from":"') } as const;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BRACE = 0x7d;
const LETTER_T = 0x74;

/**
 * The frame of the relayed signal, spliced from the sender's frame: `{"type":"<type>","from":"<from>",`
 * then the sender's own bytes of its body (`candidate` or `callId`), then `}`. Byte for byte what
 * `encodeSignal` writes for the relayed message, as UTF-8.
 *
 * @param frame the sender's frame as `ws` delivered it (a valid UTF-8 text frame).
 * @param text `frame` decoded: what was parsed.
 * @param message what `parseClientMessage(text)` returned for it (validated).
 * @param from the sender's peer id (server-made, URL-safe base64: needs no escape).
 * @returns the relayed frame, or `null` when the message is not a candidate or bye for one peer
 *   (`to`), or its frame is not canonical JSON (the caller then encodes the parsed message).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/send
 */
export function relayedFrame(frame: Buffer, text: string, message: ClientMessage, from: string): Buffer | null {
  if ((message.type !== 'candidate' && message.type !== 'bye') || message.to === undefined) return null;
  if (!CANONICAL[message.type].test(text)) return null;
  const head = HEADS[message.type];
  // Text and bytes agree up to the body and after it: only ASCII sits there (type, to).
  const afterType = head.length - 8; // `{"type":"<type>",`
  const toLength = 8 + message.to.length; // `"to":"<id>",` or `,"to":"<id>"`
  const toFirst = text.charCodeAt(afterType + 1) === LETTER_T;
  const start = toFirst ? afterType + toLength : afterType;
  const end = frame.length - 1 - (toFirst ? 0 : toLength);
  const out = Buffer.allocUnsafe(head.length + from.length + 2 + (end - start) + 1);
  out.set(head, 0);
  let at = head.length;
  for (let i = 0; i < from.length; i++) out[at++] = from.charCodeAt(i);
  out[at++] = QUOTE;
  out[at++] = COMMA;
  out.set(frame.subarray(start, end), at);
  out[out.length - 1] = BRACE;
  return out;
}
