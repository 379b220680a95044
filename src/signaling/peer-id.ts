/**
 * Peer ids: made by the relay (never chosen by a client), random and unguessable.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Crypto/getRandomValues
 */

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
