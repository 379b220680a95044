/**
 * Call ids: which call a signaling message belongs to. A page gives every call it starts a fresh
 * random id and puts it on its offers, answers and `bye`; the other side takes it from the offer
 * that starts the call. A `bye` whose id is not one of the current call's ids is stale (sent for an
 * earlier call with the same peer, delivered late by the server) and is ignored.
 *
 * Ids are opaque to the signaler: it only checks their shape (part of the one union in
 * `./protocol`) and relays them.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Crypto/getRandomValues
 */

/** Longest call id accepted, in characters. */
export const MAX_CALL_ID_LENGTH = 64;
/** Call ids: 8–64 URL-safe base64 characters. */
export const CALL_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Creates a fresh call id: 12 random bytes as 16 URL-safe base64 characters (collisions between
 * two calls of one pair of peers are out of the question).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Crypto/getRandomValues
 */
export function createCallId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_');
}
