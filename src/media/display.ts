/**
 * Screen capture: `getDisplayMedia()` with the secure-context check and a way out when the
 * browser's picker never settles (headless, or a user who walks away): the returned promise can be
 * cancelled with an AbortSignal.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia
 * @see https://w3c.github.io/mediacapture-screen-share/
 */
import { mediaDevices } from './capture';
import { PlaygroundError } from '../errors/playground-error';
import { shown } from '../util/code-ran';

/**
 * Options of getDisplayMedia, including the newer hints not yet in every TypeScript DOM lib.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#options
 */
export interface DisplayMediaOptions {
  video?: boolean | (MediaTrackConstraints & { displaySurface?: 'monitor' | 'window' | 'browser' });
  audio?: boolean | MediaTrackConstraints;
  selfBrowserSurface?: 'include' | 'exclude';
  surfaceSwitching?: 'include' | 'exclude';
  systemAudio?: 'include' | 'exclude';
  preferCurrentTab?: boolean;
  monitorTypeSurfaces?: 'include' | 'exclude';
}

/**
 * Asks the user to pick a screen, window or tab to capture.
 *
 * @param options the getDisplayMedia options object.
 * @param signal aborting it rejects with a DOMException `AbortError` (the browser's picker may stay
 *   open; a stream that arrives later is stopped at once).
 * @returns a MediaStream with one video track (plus audio when asked and allowed).
 * @throws DOMException `NotAllowedError` (cancelled/denied), `NotFoundError`, `NotReadableError`,
 *   `InvalidStateError` (no user gesture), `AbortError` (cancelled by `signal`), `TypeError`
 *   (bad options); PlaygroundError `InsecureContextError` / `UnsupportedError`.
 */
export const getDisplayMedia = shown(
  'getDisplayMedia',
  // @show getDisplayMedia
  async function getDisplayMedia(options: DisplayMediaOptions, signal?: AbortSignal): Promise<MediaStream> {
    const md = mediaDevices();
    if (typeof md.getDisplayMedia !== 'function') {
      throw new PlaygroundError('UnsupportedError', 'navigator.mediaDevices.getDisplayMedia is not available');
    }
    const pending = md.getDisplayMedia(options as DisplayMediaStreamOptions);
    if (!signal) return pending;
    if (signal.aborted) {
      pending.then((s) => s.getTracks().forEach((t) => t.stop()), () => undefined);
      throw new DOMException('screen capture was cancelled', 'AbortError');
    }
    return new Promise<MediaStream>((resolve, reject) => {
      const onAbort = () => {
        pending.then((s) => s.getTracks().forEach((t) => t.stop()), () => undefined);
        reject(new DOMException('screen capture was cancelled', 'AbortError'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (s) => {
          signal.removeEventListener('abort', onAbort);
          resolve(s);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  },
);
