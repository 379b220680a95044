/**
 * Bandwidth and resolution during a call, without renegotiation: `RTCRtpSender.setParameters()`
 * with `maxBitrate`, `scaleResolutionDownBy` and `maxFramerate` on the video sender's encoding,
 * and the sent bitrate, frame size and frame rate read back from `outbound-rtp` stats.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/setParameters
 * @see https://w3c.github.io/webrtc-pc/#dom-rtcrtpencodingparameters
 */
import { shown } from '../util/code-ran';
import { kbps } from './stats';

/**
 * Limits for the sent video. A missing or null field is no limit (the browser decides).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/setParameters#encodings
 */
export interface VideoLimits {
  /** Most bits per second the encoder may send, bps (e.g. 150 000). */
  maxBitrate?: number | null;
  /** Divide width and height by this (≥ 1): 2 sends 640×480 as 320×240. */
  scaleResolutionDownBy?: number | null;
  /** Most frames per second, Hz (> 0). */
  maxFramerate?: number | null;
}

const KEYS = ['maxBitrate', 'scaleResolutionDownBy', 'maxFramerate'] as const;

/**
 * Checks a {@link VideoLimits}.
 * @throws TypeError naming the bad field: maxBitrate must be a positive number of bps,
 *   scaleResolutionDownBy a number ≥ 1, maxFramerate a positive number.
 * @see https://w3c.github.io/webrtc-pc/#dom-rtcrtpencodingparameters-scaleresolutiondownby
 */
export function validateLimits(limits: VideoLimits): void {
  for (const key of KEYS) {
    const v = limits[key];
    if (v === undefined || v === null) continue;
    const min = key === 'scaleResolutionDownBy' ? 1 : 0;
    const ok = typeof v === 'number' && Number.isFinite(v) && (key === 'scaleResolutionDownBy' ? v >= min : v > min);
    if (!ok) throw new TypeError(`${key} must be ${key === 'scaleResolutionDownBy' ? 'a number ≥ 1' : 'a positive number'}, got ${String(v)}`);
  }
}

/**
 * `parameters` (from `sender.getParameters()`) with `limits` set on every encoding: a number sets
 * the field, null or a missing field removes it (no limit). Everything else (transactionId,
 * codecs, rtcp, other encoding fields) is kept, as setParameters requires.
 * @throws TypeError for bad limits ({@link validateLimits}).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/getParameters
 */
export function withLimits<P extends { encodings: RTCRtpEncodingParameters[] }>(parameters: P, limits: VideoLimits): P {
  validateLimits(limits);
  const encodings = parameters.encodings.map((e) => {
    const next: RTCRtpEncodingParameters = { ...e };
    for (const key of KEYS) {
      const v = limits[key];
      if (v === undefined || v === null) delete next[key];
      else next[key] = v;
    }
    return next;
  });
  return { ...parameters, encodings };
}

/**
 * Applies `limits` to the video sender of `pc` at once (no new offer), then reads them back.
 * @returns the first encoding as the browser now holds it.
 * @throws DOMException `InvalidStateError` (no video sender, or no encoding yet: negotiate first),
 *   `InvalidModificationError`, `RangeError` from setParameters; TypeError for bad limits.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/setParameters
 */
export const setVideoLimits = shown(
  'setParameters',
  // @show setParameters
  async function setVideoLimits(pc: RTCPeerConnection, limits: VideoLimits): Promise<RTCRtpEncodingParameters> {
    const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
    if (!sender) throw new DOMException('this side sends no video', 'InvalidStateError');
    const parameters = sender.getParameters();
    if (parameters.encodings.length === 0) throw new DOMException('no encoding yet: wait until the call is connected', 'InvalidStateError');
    await sender.setParameters(withLimits(parameters, limits)); // no renegotiation needed
    return sender.getParameters().encodings[0] ?? {};
  },
);

/**
 * What this side sends as video, from `outbound-rtp` stats. Null = not known yet.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCOutboundRtpStreamStats
 */
export interface OutboundVideo {
  /** Sent bitrate since the previous reading, kbps (1000 bit/s). */
  kbps: number | null;
  /** Encoded frame size, px. */
  width: number | null;
  height: number | null;
  /** Encoded frames per second, Hz. */
  fps: number | null;
  /** e.g. `video/VP9`. */
  codec: string | null;
  /** Total bytes sent and the report's timestamp (ms), for the next reading. */
  bytes: number;
  timestamp: number;
}

/**
 * Reads {@link OutboundVideo} from a stats report (all outbound video streams summed; the frame
 * size and rate of the first that has them).
 * @param report `[...(await pc.getStats()).values()]`.
 * @param prev the previous reading (null: bitrate unknown).
 * @returns null when the report has no outbound video yet.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
export function readOutboundVideo(report: Iterable<Record<string, unknown>>, prev: OutboundVideo | null): OutboundVideo | null {
  const all = [...report];
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const out = all.filter((r) => r.type === 'outbound-rtp' && r.kind === 'video');
  if (out.length === 0) return null;
  let bytes = 0;
  let timestamp = 0;
  const first = (key: string) => out.map((r) => num(r[key])).find((v) => v !== null) ?? null;
  for (const r of out) {
    bytes += num(r.bytesSent) ?? 0;
    timestamp = Math.max(timestamp, num(r.timestamp) ?? 0);
  }
  const codecId = out.map((r) => r.codecId).find((id) => typeof id === 'string');
  const codec = all.find((r) => r.id === codecId)?.mimeType;
  return {
    kbps: kbps(prev?.bytes ?? null, prev?.timestamp ?? null, bytes, timestamp),
    width: first('frameWidth'),
    height: first('frameHeight'),
    fps: first('framesPerSecond'),
    codec: typeof codec === 'string' ? codec : null,
    bytes,
    timestamp,
  };
}
