/**
 * Capturing media: `getUserMedia()` with the secure-context check made explicit, and stopping
 * streams. Every page that opens the camera or microphone goes through here.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia
 * @see https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia
 */
import { PlaygroundError } from '../errors/playground-error';
import { shown } from '../util/code-ran';

/**
 * Returns `navigator.mediaDevices`.
 * @throws PlaygroundError `InsecureContextError` when the page is not a secure context (plain http
 *   off localhost: `navigator.mediaDevices` is undefined there), `UnsupportedError` when the browser
 *   has no media devices API at all.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Navigator/mediaDevices
 */
export function mediaDevices(): MediaDevices {
  if (typeof isSecureContext === 'boolean' && !isSecureContext) {
    throw new PlaygroundError('InsecureContextError', `${location.origin} is not a secure context`);
  }
  const md = navigator.mediaDevices as MediaDevices | undefined;
  if (!md) throw new PlaygroundError('UnsupportedError', 'navigator.mediaDevices is undefined');
  return md;
}

/**
 * Asks for a camera and/or microphone stream.
 *
 * @param constraints e.g. `{ audio: true, video: { width: { ideal: 1280 } } }`.
 * @returns a MediaStream with one track per requested kind.
 * @throws DOMException `NotAllowedError` (denied), `NotFoundError` (no such device),
 *   `NotReadableError` (device busy), `OverconstrainedError` (with `.constraint`), `AbortError`,
 *   `SecurityError`; `TypeError` when neither audio nor video is requested; PlaygroundError
 *   `InsecureContextError`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#exceptions
 */
export const getUserMedia = shown(
  'getUserMedia',
  // @show getUserMedia
  async function getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    return mediaDevices().getUserMedia(constraints);
  },
);

/**
 * Stops every track of `stream` (the camera light goes off, readyState becomes `ended`).
 * Does nothing for `null`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/stop
 */
export const stopStream = shown(
  'stopStream',
  // @show stopStream
  function stopStream(stream: MediaStream | null | undefined): void {
    for (const track of stream?.getTracks() ?? []) track.stop();
  },
);

/**
 * Reconfigures a live track (no new permission prompt, no new track) and returns its settings.
 *
 * @param constraints e.g. `{ width: { exact: 320 }, height: { exact: 240 } }`; `{}` removes every
 *   constraint.
 * @returns `track.getSettings()` after the change.
 * @throws DOMException `OverconstrainedError` (with `.constraint`; the track keeps its previous
 *   settings), `TypeError` for a malformed constraint.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/applyConstraints
 */
export const applyConstraints = shown(
  'applyConstraints',
  // @show applyConstraints
  async function applyConstraints(track: MediaStreamTrack, constraints: MediaTrackConstraints): Promise<MediaTrackSettings> {
    await track.applyConstraints(constraints);
    return track.getSettings();
  },
);
