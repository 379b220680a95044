/**
 * Ephemeral TURN credentials (the "TURN REST API" scheme coturn implements with
 * `use-auth-secret`): the server and coturn share one secret; for each page the server makes a
 * username `"<expiry unix seconds>:<random>"` and a password `base64(HMAC-SHA1(secret, username))`.
 * coturn recomputes the HMAC and refuses the username once its expiry has passed, so a leaked
 * password stops working by itself and the secret never leaves the server.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00
 * @see https://github.com/coturn/coturn/wiki/turnserver#turn-rest-api
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TurnCredentials } from '../src/rtc/turn-credentials';

/** Default lifetime of a credential: 1 hour, in seconds. */
export const DEFAULT_TURN_TTL_S = 3600;

export type { TurnCredentials };

/**
 * The password of the TURN REST scheme: base64 of HMAC-SHA1(secret, username).
 * @throws TypeError when `secret` is empty.
 * @see https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00#section-2.2
 */
export function turnPassword(secret: string, username: string): string {
  if (typeof secret !== 'string' || secret === '') throw new TypeError('the TURN shared secret must be a non-empty string');
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** Options of {@link makeTurnCredentials}. */
export interface MakeCredentialsOptions {
  /** Lifetime in seconds (1 s to 7 days). Default {@link DEFAULT_TURN_TTL_S}. */
  ttl?: number;
  /** Current time in ms since the epoch (for tests). Default `Date.now()`. */
  now?: number;
  /** The part after the colon. Default 8 random bytes, base64url (no colon possible). */
  user?: string;
}

/** Largest accepted TTL: 7 days in seconds. */
export const MAX_TURN_TTL_S = 7 * 24 * 3600;

/**
 * Checks a TTL in seconds.
 * @throws TypeError unless it is an integer from 1 to {@link MAX_TURN_TTL_S}.
 */
export function checkTurnTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TURN_TTL_S) {
    throw new TypeError(`TURN credential TTL must be an integer number of seconds from 1 to ${MAX_TURN_TTL_S} (got ${ttl})`);
  }
  return ttl;
}

/**
 * Makes one ephemeral credential valid for `ttl` seconds from `now`.
 * @throws TypeError for an empty secret, a bad TTL or a `user` containing `:`.
 */
export function makeTurnCredentials(secret: string, uris: string[], options: MakeCredentialsOptions = {}): TurnCredentials {
  const ttl = checkTurnTtl(options.ttl ?? DEFAULT_TURN_TTL_S);
  const user = options.user ?? randomBytes(8).toString('base64url');
  if (user.includes(':')) throw new TypeError('the TURN user id must not contain ":"');
  const expiry = Math.floor((options.now ?? Date.now()) / 1000) + ttl;
  const username = `${expiry}:${user}`;
  return { username, password: turnPassword(secret, username), ttl, uris: [...uris] };
}

/**
 * The expiry (unix seconds) in a TURN REST username, or null when it has none.
 * @see https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00#section-2.2
 */
export function turnUsernameExpiry(username: string): number | null {
  const m = /^(\d{1,12}):/.exec(username);
  return m ? Number(m[1]) : null;
}

/** A fresh random shared secret (32 bytes, hex), for a coturn started by the playground. */
export function randomTurnSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Where pages reach the TURN server. `host` null means "the host name the page was loaded
 * from" (a managed coturn listening on every interface); `urls` are used as given otherwise.
 */
export type TurnEndpoint =
  | { kind: 'managed'; host: string | null; port: number }
  | { kind: 'external'; urls: string[] };

/** What `GET /api/turn` needs: the shared secret, where TURN is, and the TTL. */
export interface TurnService {
  /** Shared secret (never sent to a page, never logged). */
  secret: string;
  endpoint: TurnEndpoint;
  /** Credential lifetime in seconds. Default {@link DEFAULT_TURN_TTL_S}. */
  ttl?: number;
}

const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

/**
 * The host name of a `Host` request header (untrusted input), or null when it is not a plain
 * host name, IPv4 address or bracketed IPv6 address (with an optional port).
 */
export function hostFromHeader(header: string | undefined): string | null {
  if (!header || header.length > 300) return null;
  const m = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(header);
  if (!m) return null;
  const host = m[1];
  if (host === undefined) return null;
  if (IPV6.test(host) || HOSTNAME.test(host)) return host;
  return null;
}

/**
 * The TURN URIs for a page that asked through `Host: requestHost`: UDP and TCP on the managed
 * coturn's port, or the configured URLs. `localhost` becomes `127.0.0.1` (coturn listens on
 * addresses, and a browser may resolve localhost to ::1 first).
 */
export function turnUris(endpoint: TurnEndpoint, requestHost: string | null): string[] {
  if (endpoint.kind === 'external') return [...endpoint.urls];
  let host = endpoint.host ?? requestHost ?? '127.0.0.1';
  if (host === 'localhost') host = '127.0.0.1';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return [`turn:${host}:${endpoint.port}?transport=udp`, `turn:${host}:${endpoint.port}?transport=tcp`];
}

/**
 * Answers `GET /api/turn` with fresh credentials (JSON, `Cache-Control: no-store`), or 404 when
 * TURN is off (204 No Content for `/api/turn?optional`, which the pages use). Returns false for
 * any other path, so the caller serves it.
 */
export function handleTurnApi(req: IncomingMessage, res: ServerResponse, turn: TurnService | null): boolean {
  const [path, query] = (req.url ?? '').split('?', 2);
  if (path !== '/api/turn') return false;
  if (turn === null && new URLSearchParams(query ?? '').has('optional')) {
    // The pages ask with ?optional: "no TURN here" is then a normal answer, not a red 404 in the console.
    res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
    return true;
  }
  if (turn === null) {
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ error: 'turn-off', message: 'This server has no TURN server configured (start it with --turn).' }));
    return true;
  }
  const body = makeTurnCredentials(turn.secret, turnUris(turn.endpoint, hostFromHeader(req.headers.host)), { ttl: turn.ttl });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
  return true;
}
