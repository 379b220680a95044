/**
 * Choosing the preferred video codec before a call: the codecs this browser can receive
 * (`RTCRtpReceiver.getCapabilities('video')`), and `RTCRtpTransceiver.setCodecPreferences()` with the
 * chosen one first. The offer's (and answer's) `m=video` line then lists that codec's payload types
 * first, and the other side sends with it.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/setCodecPreferences
 * @see https://w3c.github.io/webrtc-pc/#dom-rtcrtptransceiver-setcodecpreferences
 */
import { shown } from '../util/code-ran';

/**
 * The part of an `RTCRtpCodec` the ordering looks at.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/getCapabilities_static#codecs
 */
export interface CodecLike {
  /** e.g. `video/VP9` (case as the browser writes it). */
  mimeType: string;
}

/** Not media codecs but helpers for them (retransmission, redundancy, forward error correction). */
const HELPERS = new Set(['video/rtx', 'video/red', 'video/ulpfec', 'video/flexfec-03']);

/**
 * The video codecs a learner can choose among: each media codec's mimeType once, in the
 * browser's own order (its default first), without rtx/red/ulpfec/flexfec.
 * @param codecs `RTCRtpReceiver.getCapabilities('video').codecs`.
 * @returns e.g. `['video/VP8', 'video/VP9', 'video/H264', 'video/AV1']`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/getCapabilities_static
 */
export function codecChoices(codecs: readonly CodecLike[]): string[] {
  const out: string[] = [];
  for (const c of codecs) {
    if (HELPERS.has(c.mimeType.toLowerCase()) || out.some((m) => m.toLowerCase() === c.mimeType.toLowerCase())) continue;
    out.push(c.mimeType);
  }
  return out;
}

/**
 * `codecs` with every entry of `mimeType` (all its profiles) moved to the front, the rest kept in
 * their order (helpers such as rtx included: they must stay in the list). Case-insensitive.
 * @throws TypeError when no entry has `mimeType`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/setCodecPreferences
 */
export function preferCodec<C extends CodecLike>(codecs: readonly C[], mimeType: string): C[] {
  const wanted = (c: C) => c.mimeType.toLowerCase() === mimeType.toLowerCase();
  const first = codecs.filter(wanted);
  if (first.length === 0) throw new TypeError(`${mimeType} is not among the codecs offered`);
  return [...first, ...codecs.filter((c) => !wanted(c))];
}

/**
 * The payload types of the first `m=<kind>` line of an SDP, in order (the first is preferred).
 * @returns e.g. `[98, 96, 97, 99]`; `[]` when there is no such line.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Protocols#sdp
 */
export function mLinePayloadTypes(sdp: string, kind: 'audio' | 'video'): number[] {
  const line = sdp.split(/\r?\n/).find((l) => l.startsWith(`m=${kind} `));
  return line ? line.trim().split(' ').slice(3).map(Number) : [];
}

/**
 * The codec name (`VP9`) of payload type `pt` in an SDP (`a=rtpmap:<pt> VP9/90000`), or null.
 * @see https://datatracker.ietf.org/doc/html/rfc8866#name-rtpmap-attribute
 */
export function rtpmapName(sdp: string, pt: number): string | null {
  const m = new RegExp(`^a=rtpmap:${pt} ([^/\\s]+)/`, 'm').exec(sdp);
  return m?.[1] ?? null;
}

/**
 * True when this browser has both `RTCRtpReceiver.getCapabilities` and
 * `RTCRtpTransceiver.prototype.setCodecPreferences` (Chromium; Firefox 128 and later).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/setCodecPreferences#browser_compatibility
 */
export function codecPreferencesSupported(): boolean {
  return typeof RTCRtpReceiver !== 'undefined' && typeof RTCRtpReceiver.getCapabilities === 'function' &&
    typeof RTCRtpTransceiver !== 'undefined' && typeof RTCRtpTransceiver.prototype.setCodecPreferences === 'function';
}

/**
 * The video codecs this browser can receive ({@link codecChoices} of its capabilities); `[]`
 * when it cannot tell.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/getCapabilities_static
 */
export function videoCodecChoices(): string[] {
  if (!codecPreferencesSupported()) return [];
  return codecChoices(RTCRtpReceiver.getCapabilities('video')?.codecs ?? []);
}

/**
 * Puts `mimeType` first on every video transceiver of `pc`. Takes effect at the next offer or
 * answer (call it before negotiating; {@link keepCodecPreference} does that for a whole call).
 * @returns how many transceivers got the preference.
 * @throws TypeError when the browser does not offer `mimeType`; DOMException
 *   `InvalidModificationError` from setCodecPreferences (a codec it cannot use).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/setCodecPreferences
 */
export const setCodecPreferences = shown(
  'setCodecPreferences',
  // @show setCodecPreferences
  function setCodecPreferences(pc: RTCPeerConnection, mimeType: string): number {
    const { codecs } = RTCRtpReceiver.getCapabilities('video') ?? { codecs: [] };
    const preferred = preferCodec(codecs, mimeType); // mimeType's entries first, the rest after
    const video = pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video' && t.currentDirection !== 'stopped');
    for (const transceiver of video) transceiver.setCodecPreferences(preferred);
    return video.length;
  },
);

/**
 * Keeps `mimeType` preferred on `pc` for the whole call: right after the tracks are added (the
 * caller's first offer), when a renegotiation is needed, and when a remote offer has created
 * transceivers (before the answer is made). `null` = the browser's default order: does nothing.
 * @param onError gets what setCodecPreferences throws (the call goes on with the default order).
 * @returns a function that stops keeping it.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/signalingstatechange_event
 */
export function keepCodecPreference(pc: RTCPeerConnection, mimeType: string | null, onError: (err: unknown) => void): () => void {
  if (mimeType === null) return () => undefined;
  const apply = () => {
    if (pc.signalingState === 'closed') return;
    try {
      setCodecPreferences(pc, mimeType);
    } catch (err) {
      onError(err);
    }
  };
  const onState = () => {
    if (pc.signalingState === 'have-remote-offer') apply();
  };
  // A microtask: after the negotiator has added the tracks, before `negotiationneeded` (a task) offers.
  queueMicrotask(apply);
  pc.addEventListener('negotiationneeded', apply);
  pc.addEventListener('signalingstatechange', onState);
  return () => {
    pc.removeEventListener('negotiationneeded', apply);
    pc.removeEventListener('signalingstatechange', onState);
  };
}
