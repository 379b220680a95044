/**
 * Turns `RTCPeerConnection.getStats()` reports into the numbers a learner watches: bitrates in kbps,
 * frames per second, resolution, round-trip time and jitter in ms, packets lost and the codec.
 * Pure: rates come from the difference between this report and the previous one (bytes and
 * timestamps), so it runs in unit tests on plain objects.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 * @see https://w3c.github.io/webrtc-stats/
 */

/**
 * What one kind of media (audio or video) did during one sampling interval. Null = not known.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export interface MediaRates {
  /** Sent bitrate over the interval, kbps (1000 bit/s). */
  outKbps: number | null;
  /** Received bitrate over the interval, kbps. */
  inKbps: number | null;
  /** Decoded frames per second (video only). */
  fps: number | null;
  /** Received frame width and height, px (video only). */
  width: number | null;
  height: number | null;
  /** Cumulative packets lost on the received stream. */
  packetsLost: number | null;
  /** Received-stream jitter, ms. */
  jitterMs: number | null;
  /** Received codec, e.g. `video/VP8` (else the sent codec). */
  codec: string | null;
}

/**
 * One end of the selected ICE candidate pair, from the `local-candidate`/`remote-candidate` stats.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export interface PairEnd {
  address: string | null;
  port: number | null;
  /** `host`, `srflx`, `prflx` or `relay`. */
  type: string | null;
  protocol: string | null;
}

/**
 * The ICE candidate pair the connection uses (from `transport.selectedCandidatePairId`).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export interface SelectedPair {
  local: PairEnd;
  remote: PairEnd;
}

/**
 * One sample of a peer connection's stats, as the stats sampler records it every second.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export interface StatsSample {
  video: MediaRates;
  audio: MediaRates;
  /** Current round-trip time of the selected candidate pair, ms. */
  rttMs: number | null;
  /** The selected candidate pair, or null before ICE found one. */
  pair: SelectedPair | null;
}

/**
 * The cumulative counters a sample is computed from, kept between samples (the "previous report").
 * Keys are `<direction>-<kind>`; values are total bytes, decoded frames and the report timestamp (ms).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export interface StatsCounters {
  bytes: Record<string, { bytes: number; timestamp: number }>;
  frames: Record<string, { frames: number; timestamp: number }>;
}

/**
 * A stats report as a plain list of dictionaries (`[...report.values()]`).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export type StatsLike = Iterable<Record<string, unknown>>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Bitrate in kbps between two byte counters taken at two timestamps (ms).
 * @returns null when there is no previous counter, time did not advance or the counter went back
 *   (a new stream).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export function kbps(prevBytes: number | null, prevMs: number | null, bytes: number, ms: number): number | null {
  if (prevBytes === null || prevMs === null || ms <= prevMs || bytes < prevBytes) return null;
  return ((bytes - prevBytes) * 8) / (ms - prevMs);
}

function emptyRates(): MediaRates {
  return { outKbps: null, inKbps: null, fps: null, width: null, height: null, packetsLost: null, jitterMs: null, codec: null };
}

/**
 * Computes one {@link StatsSample} from a getStats report and the counters of the previous call.
 *
 * @param report every stats dictionary of the report (`[...await pc.getStats()].map(([, r]) => r)`
 *   or `report.values()`).
 * @param prev the counters this function returned last time (null on the first sample: rates are null).
 * @returns the sample plus the counters to pass next time.
 * @throws TypeError when `report` is not iterable.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export function sampleStats(report: StatsLike, prev: StatsCounters | null): { sample: StatsSample; counters: StatsCounters } {
  if (report === null || typeof (report as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw new TypeError('sampleStats: report must be iterable');
  }
  const all = [...report];
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of all) if (typeof r.id === 'string') byId.set(r.id, r);
  const sample: StatsSample = { video: emptyRates(), audio: emptyRates(), rttMs: null, pair: null };
  const counters: StatsCounters = { bytes: {}, frames: {} };
  const codecOf = (r: Record<string, unknown>): string | null => {
    const c = typeof r.codecId === 'string' ? byId.get(r.codecId) : undefined;
    return c ? text(c.mimeType) : null;
  };
  const add = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : a + b);

  for (const r of all) {
    const kind = r.kind === 'audio' || r.kind === 'video' ? r.kind : null;
    const ts = num(r.timestamp);
    if (!kind || ts === null) continue;
    const m = sample[kind];
    if (r.type === 'outbound-rtp' || r.type === 'inbound-rtp') {
      const dir = r.type === 'outbound-rtp' ? 'out' : 'in';
      const key = `${dir}-${kind}-${String(r.ssrc ?? r.id)}`;
      const bytes = num(dir === 'out' ? r.bytesSent : r.bytesReceived) ?? 0;
      counters.bytes[key] = { bytes, timestamp: ts };
      const p = prev?.bytes[key];
      const rate = kbps(p?.bytes ?? null, p?.timestamp ?? null, bytes, ts);
      if (dir === 'out') {
        m.outKbps = add(m.outKbps, rate);
        m.codec ??= codecOf(r);
      } else {
        m.inKbps = add(m.inKbps, rate);
        m.codec = codecOf(r) ?? m.codec;
        m.packetsLost = add(m.packetsLost, num(r.packetsLost));
        const jitter = num(r.jitter);
        if (jitter !== null) m.jitterMs = jitter * 1000;
        if (kind === 'video') {
          m.width = num(r.frameWidth) ?? m.width;
          m.height = num(r.frameHeight) ?? m.height;
          const frames = num(r.framesDecoded);
          if (frames !== null) {
            counters.frames[key] = { frames, timestamp: ts };
            const pf = prev?.frames[key];
            if (pf && ts > pf.timestamp && frames >= pf.frames) m.fps = ((frames - pf.frames) * 1000) / (ts - pf.timestamp);
            else m.fps ??= num(r.framesPerSecond);
          }
        }
      }
    }
  }
  const pair = selectedPair(all, byId);
  if (pair) {
    const rtt = num(pair.currentRoundTripTime);
    if (rtt !== null) sample.rttMs = rtt * 1000;
    const end = (id: unknown): PairEnd => {
      const c = typeof id === 'string' ? byId.get(id) : undefined;
      return {
        address: text(c?.address) ?? text(c?.ip),
        port: num(c?.port),
        type: text(c?.candidateType),
        protocol: text(c?.protocol),
      };
    };
    sample.pair = { local: end(pair.localCandidateId), remote: end(pair.remoteCandidateId) };
  }
  return { sample, counters };
}

/** The pair named by a transport's `selectedCandidatePairId`, else a nominated succeeded pair. */
function selectedPair(all: Record<string, unknown>[], byId: Map<string, Record<string, unknown>>): Record<string, unknown> | null {
  for (const r of all) {
    if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') {
      const p = byId.get(r.selectedCandidatePairId);
      if (p) return p;
    }
  }
  return all.find((r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded') ?? null;
}

/**
 * Checks that `value` has the shape of a {@link StatsSample} (numbers or null, codec string or null).
 * @throws TypeError naming the first bad field.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport
 */
export function assertStatsSample(value: unknown): asserts value is StatsSample {
  if (typeof value !== 'object' || value === null) throw new TypeError('stats sample must be an object');
  const v = value as Record<string, unknown>;
  if (v.rttMs !== null && num(v.rttMs) === null) throw new TypeError('stats sample rttMs must be a number or null');
  if (v.pair !== null) {
    const p = v.pair as Record<string, unknown> | undefined;
    for (const side of ['local', 'remote'] as const) {
      const e = p?.[side] as Record<string, unknown> | undefined;
      if (typeof e !== 'object' || e === null) throw new TypeError(`stats sample pair.${side} must be an object`);
      for (const k of ['address', 'type', 'protocol'] as const) {
        if (e[k] !== null && typeof e[k] !== 'string') throw new TypeError(`stats sample pair.${side}.${k} must be a string or null`);
      }
      if (e.port !== null && num(e.port) === null) throw new TypeError(`stats sample pair.${side}.port must be a number or null`);
    }
  }
  for (const kind of ['video', 'audio'] as const) {
    const m = v[kind];
    if (typeof m !== 'object' || m === null) throw new TypeError(`stats sample ${kind} must be an object`);
    const r = m as Record<string, unknown>;
    for (const k of ['outKbps', 'inKbps', 'fps', 'width', 'height', 'packetsLost', 'jitterMs'] as const) {
      if (r[k] !== null && num(r[k]) === null) throw new TypeError(`stats sample ${kind}.${k} must be a number or null`);
    }
    if (r.codec !== null && typeof r.codec !== 'string') throw new TypeError(`stats sample ${kind}.codec must be a string or null`);
  }
}
