/**
 * Audio output (sink) selection: whether `HTMLMediaElement.setSinkId()` exists, applying it, and
 * a test tone played on a chosen output.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/setSinkId
 * @see https://w3c.github.io/mediacapture-output/
 */
import { PlaygroundError } from '../errors/playground-error';
import { shown } from '../util/code-ran';

/** Which browsers let a page choose the audio output (shown when this one cannot). */
export const SINK_SUPPORT_TEXT =
  'This browser cannot choose the audio output (HTMLMediaElement.setSinkId is missing), so sound plays on the system default output. ' +
  'It works in desktop Chrome (49+), Edge (17+) and Opera, Firefox 116+ and Safari 18.4+; not in Chrome or Firefox on Android, nor in older Safari.';

type SinkElement = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void>; sinkId?: string };

/**
 * Whether this browser can choose an audio output for media elements.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/setSinkId#browser_compatibility
 */
export function sinkSupported(): boolean {
  return typeof (HTMLMediaElement.prototype as SinkElement).setSinkId === 'function';
}

/**
 * The element's current sink id ('' = the default output), or null when unsupported.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/sinkId
 */
export function currentSink(el: HTMLMediaElement): string | null {
  const id = (el as SinkElement).sinkId;
  return typeof id === 'string' && sinkSupported() ? id : null;
}

/**
 * Routes `el`'s sound to the audio output `deviceId` ('' = the default output).
 * @throws PlaygroundError `UnsupportedError` when setSinkId does not exist; DOMException
 *   `NotFoundError` (no such output), `NotAllowedError` (not permitted), `AbortError`.
 */
export const applySink = shown(
  'setSinkId',
  // @show setSinkId
  async function applySink(el: HTMLMediaElement, deviceId: string): Promise<void> {
    const sinkEl = el as SinkElement;
    if (typeof sinkEl.setSinkId !== 'function') throw new PlaygroundError('UnsupportedError', 'HTMLMediaElement.setSinkId is not available');
    await sinkEl.setSinkId(deviceId);
  },
);

/**
 * Plays a sine tone on the output `deviceId` through `el` (an `<audio>` element), then stops.
 * Call it from a click so audio may start.
 *
 * @param frequencyHz tone frequency in Hz (default 440).
 * @param durationMs length in ms (default 1000).
 * @returns resolves when the tone has finished.
 * @throws TypeError for a non-positive frequency or duration; the errors of {@link applySink}
 *   (unless `deviceId` is '' on a browser without setSinkId: then the default output is used);
 *   DOMException `NotAllowedError` when the browser refuses to play.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/OscillatorNode
 */
export async function playTestTone(el: HTMLAudioElement, deviceId: string, frequencyHz = 440, durationMs = 1000): Promise<void> {
  if (!(frequencyHz > 0) || !(durationMs > 0)) throw new TypeError('frequency and duration must be positive');
  if (deviceId !== '' || sinkSupported()) await applySink(el, deviceId);
  const ctx = new AudioContext();
  try {
    const osc = ctx.createOscillator();
    osc.frequency.value = frequencyHz;
    const gain = ctx.createGain();
    gain.gain.value = 0.2;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    el.srcObject = dest.stream;
    osc.start();
    await el.play();
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    osc.stop();
  } finally {
    el.pause();
    el.srcObject = null;
    await ctx.close();
  }
}
