/**
 * What a signaling room name may be, shared by the protocol's validation (src/signaling/protocol.ts,
 * server and pages) and the pages' reading of `?room=` (src/signaling/room-name.ts), which runs
 * before a page loads the rest of the protocol.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/RegExp
 */

/** Longest room name, in characters. */
export const MAX_ROOM_LENGTH = 64;

/** Room names: 1–64 of letters, digits, `-`, `_` and `.`. */
export const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
