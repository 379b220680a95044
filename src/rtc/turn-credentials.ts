/**
 * The page side of ephemeral TURN credentials: fetch them from this server's `GET /api/turn`
 * (the TURN REST API response), turn them into lines of the ICE servers box, and read the
 * `?policy=` URL parameter that forces relay candidates.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00#section-2.2
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#icetransportpolicy
 */

/**
 * The TURN REST API response: a username `"<expiry unix seconds>:<id>"`, its password (base64
 * HMAC-SHA1 with the server's secret), its lifetime and the TURN URIs to use it with.
 * @see https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00#section-2.2
 */
export interface TurnCredentials {
  username: string;
  password: string;
  /** Lifetime in seconds. */
  ttl: number;
  /** e.g. `turn:192.168.1.20:3478?transport=udp`. */
  uris: string[];
}

const URI = /^turns?:[^\s]+$/;

/**
 * Checks the shape of a `/api/turn` body (untrusted input).
 * @throws TypeError naming the bad field.
 */
export function parseTurnCredentials(body: unknown): TurnCredentials {
  const b = body as Partial<Record<keyof TurnCredentials, unknown>> | null;
  if (typeof b !== 'object' || b === null) throw new TypeError('TURN credentials: not a JSON object');
  const { username, password, ttl, uris } = b;
  if (typeof username !== 'string' || !/^\S{1,256}$/.test(username)) throw new TypeError('TURN credentials: bad "username"');
  if (typeof password !== 'string' || !/^\S{1,256}$/.test(password)) throw new TypeError('TURN credentials: bad "password"');
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) throw new TypeError('TURN credentials: bad "ttl"');
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === 'string' && URI.test(u))) {
    throw new TypeError('TURN credentials: "uris" must be a non-empty list of turn:/turns: URIs');
  }
  return { username, password, ttl, uris: uris as string[] };
}

/**
 * Asks this server for TURN credentials.
 * @returns the credentials, or null when the server has no TURN server (204 for `?optional`, or 404).
 * @throws TypeError for a malformed answer or a network failure; Error for another HTTP status.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/fetch
 */
export async function fetchTurnCredentials(fetchImpl: typeof fetch = fetch, url = '/api/turn?optional'): Promise<TurnCredentials | null> {
  const res = await fetchImpl(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
  if (res.status === 204 || res.status === 404) return null;
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return parseTurnCredentials(await res.json());
}

/** The ICE servers box lines for `creds`: `URI username password`, one per URI. */
export function turnLines(creds: TurnCredentials): string {
  return creds.uris.map((u) => `${u} ${creds.username} ${creds.password}`).join('\n');
}

/**
 * The `iceTransportPolicy` asked for by `?policy=` (`relay` or `all`; default `all`).
 * `invalid` holds a refused value (shown to the user), else null.
 */
export function policyFromSearch(search: string): { policy: RTCIceTransportPolicy; invalid: string | null } {
  const value = new URLSearchParams(search).get('policy');
  if (value === null || value === '' || value === 'all') return { policy: 'all', invalid: null };
  if (value === 'relay') return { policy: 'relay', invalid: null };
  return { policy: 'all', invalid: value.slice(0, 40) };
}
