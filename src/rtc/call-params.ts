/**
 * The call page's URL parameters for demos and tests, validated (a link is untrusted input):
 *
 * - `reconnect-max-ms=N` (100–7000): the longest wait between two reconnect attempts to the
 *   signaling server, instead of the 7 s of {@link reconnectDelay}'s schedule. For a demo of a
 *   server restart that should not wait, and for tests.
 * - `ice-timeout-ms=N` (500–60000): how long a call may sit in "connecting" before the ICE watchdog
 *   restarts ICE (default 5000, see `IceWatchdog`).
 * - `candidates=none`: this page sends no ICE candidates to the other side (they are dropped, and
 *   `a=candidate` lines are removed from the SDP it sends). With it on both sides ICE has no
 *   candidate pair to check: a safe way to watch a call fail, the watchdog restart ICE, and the
 *   page explain why. On one side only, the call still connects through peer-reflexive candidates.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/URLSearchParams
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icecandidate_event
 */

/** The validated parameters; null means "not given" (use the default). */
export interface CallParams {
  /** Longest reconnect delay in ms, or null for the normal schedule. */
  reconnectMaxMs: number | null;
  /** ICE watchdog timeout in ms, or null for the default. */
  iceTimeoutMs: number | null;
  /** False when `candidates=none`: no ICE candidate leaves this page. */
  sendCandidates: boolean;
  /** Each refused parameter as `name=value`, to tell the user (the default is used instead). */
  invalid: string[];
}

const INTEGER = /^\d{1,6}$/;

function range(params: URLSearchParams, name: string, min: number, max: number, invalid: string[]): number | null {
  const raw = params.get(name);
  if (raw === null) return null;
  const n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  invalid.push(`${name}=${raw.slice(0, 40)}`);
  return null;
}

/**
 * Reads the call page's demo parameters from `search` (e.g. `location.search`). Never throws:
 * a bad value is listed in `invalid` and ignored.
 */
export function callParamsFromSearch(search: string): CallParams {
  const params = new URLSearchParams(search);
  const invalid: string[] = [];
  const reconnectMaxMs = range(params, 'reconnect-max-ms', 100, 7000, invalid);
  const iceTimeoutMs = range(params, 'ice-timeout-ms', 500, 60_000, invalid);
  const candidates = params.get('candidates');
  if (candidates !== null && candidates !== 'none' && candidates !== 'all') invalid.push(`candidates=${candidates.slice(0, 40)}`);
  return { reconnectMaxMs, iceTimeoutMs, sendCandidates: candidates !== 'none', invalid };
}

/**
 * `sdp` without its ICE candidate lines (`a=candidate:…`, `a=end-of-candidates`), for
 * `candidates=none`. Everything else is kept as it is.
 * @see https://www.rfc-editor.org/rfc/rfc8839#section-5.1
 */
export function withoutCandidates(sdp: string): string {
  return sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates').join('\r\n');
}
