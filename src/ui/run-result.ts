/**
 * How the "How it works" panel words what a call returned or threw (pure, unit-tested).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStream
 */

/**
 * A short, plain description of what a call returned or threw, for the panel:
 * `MediaStream (audio, video)`, `RTCSessionDescription offer`, `NotAllowedError: …`, `3`, `{…}`.
 * Pure; at most ~120 characters.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStream
 */
export function describeResult(value: unknown, ok = true): string {
  const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}…` : s);
  if (!ok) {
    const e = value as { name?: unknown; message?: unknown } | null;
    return cut(`threw ${typeof e?.name === 'string' ? e.name : 'Error'}${typeof e?.message === 'string' && e.message ? `: ${e.message}` : ''}`);
  }
  if (value === undefined) return 'done';
  if (value === null) return 'null';
  if (typeof value === 'string') return cut(JSON.stringify(value));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'object') return typeof value;
  const o = value as Record<string, unknown> & { getTracks?: () => { kind: string }[] };
  const name = (value as object).constructor?.name ?? 'Object';
  if (typeof o.getTracks === 'function') return `${name} (${o.getTracks().map((t) => t.kind).join(', ') || 'no tracks'})`;
  if (typeof o.type === 'string' && typeof o.sdp === 'string') return `${name === 'Object' ? 'description' : name} ${o.type}, ${o.sdp.split('\n').length} SDP lines`;
  if (typeof o.state === 'string') return `${name} (state ${o.state})`;
  try {
    return cut(`${name === 'Object' ? '' : `${name} `}${JSON.stringify(value)}`);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return name; // cyclic
  }
}
