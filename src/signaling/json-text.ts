/**
 * Hand-written JSON text for the relay's hot path (`encodeSignal` in `./protocol`): the same text
 * `JSON.stringify` writes, faster for the common plain-ASCII strings.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/JSON/stringify
 */
import type { IceCandidateJSON } from './protocol';

/** Printable ASCII without `"` and `\`: JSON needs no escape for it. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `s` as a JSON string literal, exactly as `JSON.stringify(s)` writes it.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/JSON/stringify
 */
export function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/**
 * An ICE candidate (as the parser built it, keys in its order) as JSON text, exactly as
 * `JSON.stringify` writes it; `null` for end of candidates.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/toJSON
 */
export function jsonCandidate(c: IceCandidateJSON | null): string {
  if (c === null) return 'null';
  let out = `{"candidate":${jsonString(c.candidate)}`;
  if (c.sdpMid !== undefined) out += `,"sdpMid":${c.sdpMid === null ? 'null' : jsonString(c.sdpMid)}`;
  if (c.sdpMLineIndex !== undefined) out += `,"sdpMLineIndex":${c.sdpMLineIndex === null ? 'null' : String(c.sdpMLineIndex)}`;
  if (c.usernameFragment !== undefined) out += `,"usernameFragment":${c.usernameFragment === null ? 'null' : jsonString(c.usernameFragment)}`;
  return `${out}}`;
}

