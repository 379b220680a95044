/**
 * The call page's "Codec and bandwidth" card: the preferred video codec chosen before a call
 * (`setCodecPreferences`, see src/rtc/codecs.ts), the order of the `m=video` line of this side's
 * last offer or answer, and live limits on the sent video during the call (`setParameters`, see
 * src/rtc/encoding.ts) with what the sender really does, read from its `outbound-rtp` stats every
 * second.
 *
 * Elements get `data-state`: the codec note `unsupported` when the browser cannot choose; the
 * limits badge `idle|applying|applied|failed`; the readout `data-kbps`, `data-width`,
 * `data-height`, `data-fps`, `data-codec` (numbers rounded, '' when unknown) and `data-sample` (counts
 * the readings).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/setCodecPreferences
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/setParameters
 */
import { codecPreferencesSupported, keepCodecPreference, mLinePayloadTypes, rtpmapName, videoCodecChoices } from '../rtc/codecs';
import { readOutboundVideo, setVideoLimits, type OutboundVideo, type VideoLimits } from '../rtc/encoding';
import { h, setState } from './dom';
import { batchWhenIdle } from './idle';

/**
 * The elements of the card (src/pages/call.html, `#tuning-card`).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/setParameters
 */
export interface CodecBandwidthElements {
  codec: HTMLSelectElement;
  codecNote: HTMLElement;
  mLine: HTMLElement;
  maxBitrate: HTMLSelectElement;
  scale: HTMLSelectElement;
  maxFramerate: HTMLSelectElement;
  limitsState: HTMLElement;
  sending: HTMLElement;
}

/**
 * Wires the card; the page hands it each call's RTCPeerConnection ({@link attach}).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/setCodecPreferences
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCOutboundRtpStreamStats
 */
export class CodecBandwidth {
  readonly #el: CodecBandwidthElements;
  readonly #fail: (err: unknown) => void;
  #pc: RTCPeerConnection | null = null;
  #stopKeeping: () => void = () => undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #prev: OutboundVideo | null = null;

  constructor(el: CodecBandwidthElements, fail: (err: unknown) => void) {
    this.#el = el;
    this.#fail = fail;
    const choices = videoCodecChoices();
    el.codec.replaceChildren(h('option', { value: '' }, 'browser default'), ...choices.map((c) => h('option', { value: c }, c.replace(/^video\//, ''))));
    if (!codecPreferencesSupported()) {
      el.codec.disabled = true;
      el.codecNote.dataset.state = 'unsupported';
      el.codecNote.textContent = 'This browser has no RTCRtpTransceiver.setCodecPreferences() (Firefox has it from version 128): the call uses its default codec order.';
    }
    for (const select of [el.maxBitrate, el.scale, el.maxFramerate]) select.addEventListener('change', () => void this.#applyLimits());
    this.attach(null);
  }

  /** The chosen codec mimeType, or null for the browser's default order. */
  get codec(): string | null {
    return this.#el.codec.value || null;
  }

  /**
   * Follows `pc` (a new call's connection; null when the call ended): keeps the chosen codec
   * preferred for its negotiations, enables the limits and shows the sender's stats.
   */
  attach(pc: RTCPeerConnection | null): void {
    this.#stopKeeping();
    clearInterval(this.#timer);
    this.#pc = pc;
    this.#prev = null;
    const off = pc === null;
    this.#el.codec.disabled = !off || !codecPreferencesSupported();
    for (const select of [this.#el.maxBitrate, this.#el.scale, this.#el.maxFramerate]) select.disabled = off;
    if (off) {
      for (const select of [this.#el.maxBitrate, this.#el.scale, this.#el.maxFramerate]) select.value = '';
      setState(this.#el.limitsState, 'idle', 'no limits');
      this.#show(null);
      return;
    }
    this.#stopKeeping = keepCodecPreference(pc, this.codec, this.#fail);
    // Display only: shown in idle time (after the setup, see holdDisplay), not inside the state
    // change. Reading the description there waits for the browser's WebRTC thread, which is busy
    // with the negotiation just then.
    const onState = batchWhenIdle<Event>(() => {
      if (this.#pc === pc) this.#showMLine();
    });
    pc.addEventListener('signalingstatechange', onState);
    const stop = this.#stopKeeping;
    this.#stopKeeping = () => {
      stop();
      pc.removeEventListener('signalingstatechange', onState);
    };
    this.#timer = setInterval(() => void this.#sample(), 1000);
  }

  /** The limits the selects ask for (bps, factor, Hz; empty = no limit). */
  limits(): VideoLimits {
    const num = (s: HTMLSelectElement) => (s.value === '' ? null : Number(s.value));
    return { maxBitrate: num(this.#el.maxBitrate), scaleResolutionDownBy: num(this.#el.scale), maxFramerate: num(this.#el.maxFramerate) };
  }

  async #applyLimits(): Promise<void> {
    const pc = this.#pc;
    if (!pc) return;
    setState(this.#el.limitsState, 'applying', 'applying…');
    try {
      const encoding = await setVideoLimits(pc, this.limits());
      const parts = [
        encoding.maxBitrate ? `maxBitrate ${encoding.maxBitrate / 1000} kbps` : 'no bitrate limit',
        `scaleResolutionDownBy ${encoding.scaleResolutionDownBy ?? 1}`,
        encoding.maxFramerate ? `maxFramerate ${encoding.maxFramerate} fps` : 'no frame rate limit',
      ];
      setState(this.#el.limitsState, 'applied', `applied: ${parts.join(', ')}`);
    } catch (err) {
      setState(this.#el.limitsState, 'failed', 'failed');
      this.#fail(err);
    }
  }

  #showMLine(): void {
    const desc = this.#pc?.localDescription;
    if (!desc) return;
    const pts = mLinePayloadTypes(desc.sdp, 'video');
    const named = pts.map((pt) => `${pt} ${rtpmapName(desc.sdp, pt) ?? '?'}`);
    this.#el.mLine.dataset.first = rtpmapName(desc.sdp, pts[0] ?? -1) ?? '';
    this.#el.mLine.textContent = pts.length ? `Your ${desc.type}: m=video … ${pts.join(' ')}  (${named.slice(0, 6).join(', ')}${named.length > 6 ? ', …' : ''})` : `Your ${desc.type} has no video.`;
  }

  async #sample(): Promise<void> {
    const pc = this.#pc;
    if (!pc || pc.connectionState === 'closed') return;
    const report = await pc.getStats();
    if (pc !== this.#pc) return;
    const now = readOutboundVideo(report.values() as Iterable<Record<string, unknown>>, this.#prev);
    this.#prev = now;
    this.#show(now);
  }

  #show(v: OutboundVideo | null): void {
    const el = this.#el.sending;
    const r = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(Math.round(n)));
    el.dataset.kbps = r(v?.kbps);
    el.dataset.width = r(v?.width);
    el.dataset.height = r(v?.height);
    el.dataset.fps = r(v?.fps);
    el.dataset.codec = v?.codec ?? '';
    el.dataset.sample = String(v ? Number(el.dataset.sample ?? '0') + 1 : 0);
    if (!v) {
      el.textContent = this.#pc ? 'Sending: no video yet.' : 'Sending: not in a call.';
      return;
    }
    const size = v.width && v.height ? `${v.width}×${v.height}` : '–';
    el.textContent = `Sending: ${v.kbps === null ? '–' : Math.round(v.kbps)} kbps · ${size} · ${v.fps === null ? '–' : Math.round(v.fps)} fps · ${v.codec ?? '–'}`;
  }
}
