/**
 * Stateless resume tokens for the Node signaler: `<peer id>.<HMAC-SHA-256(secret, id, room)>`
 * (the MAC truncated to 192 bits, URL-safe base64). Nothing is stored, so a token issued before a
 * restart (also after SIGKILL) verifies after it, and every process that shares the secret
 * accepts it. The secret defaults to one derived from the server's TLS private key, which the
 * server already keeps on disk and reuses.
 *
 * @see https://nodejs.org/api/crypto.html#cryptocreatehmacalgorithm-key-options
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ResumeTokens } from '../src/signaling/resume';

/**
 * Derives a 32-byte resume secret from a PEM private key (SHA-256 over a fixed label and the key).
 * The key itself never leaves the process; the secret only signs resume tokens.
 */
export function resumeSecretFromKey(keyPem: string): Buffer {
  return createHash('sha256').update('webrtc-playground resume tokens v1\n').update(keyPem).digest();
}

/** HMAC-signed resume tokens (see the module comment). */
export class HmacResumeTokens implements ResumeTokens {
  readonly #secret: Buffer;

  /** @throws TypeError when `secret` is shorter than 16 bytes. */
  constructor(secret: Uint8Array | string) {
    const buf = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (buf.length < 16) throw new TypeError('the resume secret must be at least 16 bytes');
    this.#secret = buf;
  }

  issue(id: string, room: string): string {
    return `${id}.${this.#mac(id, room).toString('base64url')}`;
  }

  verify(token: string, room: string): string | null {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return null;
    const id = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.#mac(id, room);
    if (given.length !== expected.length) return null;
    return timingSafeEqual(given, expected) ? id : null;
  }

  #mac(id: string, room: string): Buffer {
    return createHmac('sha256', this.#secret).update(`resume\n${id}\n${room}`).digest().subarray(0, 24);
  }
}
