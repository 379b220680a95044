/**
 * Resume tokens: how a peer whose WebSocket dropped (flaky Wi-Fi, a signaler restart) gets its
 * old peer id back when it reconnects, so the other peers of its room notice nothing.
 *
 * The relay asks a {@link ResumeTokens} implementation for a token when it sends `welcome`, and
 * asks it which peer id a token belongs to when a `join {room, resume}` arrives. Two
 * implementations exist:
 * - {@link MemoryResumeTokens} (this module, runs in browsers too): random tokens kept in a Map,
 *   for the in-page relay of the call page's loopback mode and for unit tests.
 * - `HmacResumeTokens` (`server/resume-tokens.ts`, Node only): stateless tokens signed with a
 *   server secret (HMAC-SHA-256), so they survive a restart of the process and are accepted by
 *   every process that shares the secret (several signalers behind a load balancer).
 *
 * What the relay does with a verified token (the grace period, holding a dropped peer's place)
 * is documented on {@link Relay} and in `docs/protocol.md`.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Crypto/getRandomValues
 */

/** Longest resume token accepted in a `join`, in characters. */
export const MAX_RESUME_TOKEN_LENGTH = 200;
/** Resume tokens: 16–200 URL-safe base64 characters and dots. */
export const RESUME_TOKEN_PATTERN = /^[A-Za-z0-9_.-]{16,200}$/;

/**
 * Issues and checks resume tokens. A token is bound to one peer id in one room; it must be
 * unguessable (at least 128 bits of secret) and must never verify for another id or room.
 * Both methods are synchronous and must not throw on any input.
 */
export interface ResumeTokens {
  /**
   * The token for peer `id` in `room` (sent to that peer only, in its `welcome`).
   * Calling it again for the same id and room may return the same token or a new one; every
   * token issued for them stays valid.
   */
  issue(id: string, room: string): string;
  /**
   * The peer id `token` was issued for, when it was issued by this issuer (or one sharing its
   * secret) for `room`; `null` for a forged, malformed or other-room token.
   */
  verify(token: string, room: string): string | null;
}

function randomToken(bytes: number): string {
  const raw = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  let bin = '';
  for (const b of raw) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

/**
 * Resume tokens kept in memory: each is 24 random bytes (32 URL-safe base64 characters) mapped
 * to its peer id and room. Valid for the life of this object only (a page reload or a server
 * restart forgets them). Browser-safe.
 */
export class MemoryResumeTokens implements ResumeTokens {
  readonly #byToken = new Map<string, { id: string; room: string }>();
  readonly #byPeer = new Map<string, string>();

  issue(id: string, room: string): string {
    const key = `${id}\n${room}`;
    const existing = this.#byPeer.get(key);
    if (existing !== undefined) return existing;
    const token = randomToken(24);
    this.#byToken.set(token, { id, room });
    this.#byPeer.set(key, token);
    return token;
  }

  verify(token: string, room: string): string | null {
    const entry = this.#byToken.get(token);
    return entry && entry.room === room ? entry.id : null;
  }
}
