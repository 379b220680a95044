/**
 * Playing a recording back in a `<video>`/`<audio>`: loading a Blob URL with a time limit, and
 * fixing the `Infinity` duration of WebM files from Chromium's MediaRecorder (they carry no
 * duration) with the known trick of seeking far past the end, so the player shows the real length
 * and seeking works.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/duration
 * @see https://bugs.chromium.org/p/chromium/issues/detail?id=642012
 */
import { PlaygroundError } from '../errors/explain';

/**
 * Resolves with `promise`, or rejects with PlaygroundError `TimeoutError` after `ms`.
 * @throws TypeError when `ms` is not a positive number.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/setTimeout
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  if (!(ms > 0)) throw new TypeError(`timeout must be positive, got ${ms}`);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PlaygroundError('TimeoutError', `${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

const MEDIA_ERROR_NAMES: Record<number, string> = { 1: 'AbortError', 2: 'NetworkError', 3: 'EncodingError', 4: 'NotSupportedError' };

/**
 * Turns the element's `MediaError` (which has a `code` but no `name`) into a DOMException named
 * after its code: `AbortError`, `NetworkError`, `EncodingError` (decode failed) or
 * `NotSupportedError` (format not playable).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaError/code
 */
export function mediaErrorToException(error: MediaError | null): DOMException {
  const name = MEDIA_ERROR_NAMES[error?.code ?? 4] ?? 'NotSupportedError';
  return new DOMException(error?.message || `media element error (code ${error?.code ?? '?'})`, name);
}

/** Resolves on the first of `events` on `media`; rejects on the media element's `error`. */
function nextEvent(media: HTMLMediaElement, events: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (ok: boolean) => () => {
      for (const e of events) media.removeEventListener(e, onOk);
      media.removeEventListener('error', onErr);
      if (ok) resolve();
      else reject(mediaErrorToException(media.error));
    };
    const onOk = done(true);
    const onErr = done(false);
    for (const e of events) media.addEventListener(e, onOk);
    media.addEventListener('error', onErr);
  });
}

/**
 * Loads `url` into `media` and waits until its duration is known and finite (seconds). For WebM
 * with `duration === Infinity`, sets `currentTime = 1e101`, waits for the real duration, then
 * seeks back to 0.
 *
 * @param timeoutMs give up after this long (ms).
 * @returns the duration in seconds.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/currentTime
 * @throws PlaygroundError `TimeoutError`; DOMException `EncodingError` / `NotSupportedError` /
 *   `NetworkError` / `AbortError` (from {@link mediaErrorToException}) when it cannot be loaded.
 */
export async function loadRecording(media: HTMLMediaElement, url: string, timeoutMs = 10_000): Promise<number> {
  const work = (async () => {
    const loaded = nextEvent(media, ['loadedmetadata']);
    media.preload = 'metadata';
    media.src = url;
    await loaded;
    if (!Number.isFinite(media.duration)) {
      const known = nextEvent(media, ['durationchange', 'timeupdate']);
      media.currentTime = 1e101;
      await known;
      while (!Number.isFinite(media.duration)) await nextEvent(media, ['durationchange', 'timeupdate']);
      const back = nextEvent(media, ['seeked']);
      media.currentTime = 0;
      await back;
    }
    return media.duration;
  })();
  return withTimeout(work, timeoutMs, 'loading the recording');
}

/**
 * `media.play()` with a time limit (some files never start playing and `play()` never settles).
 * @throws PlaygroundError `TimeoutError`; DOMException `NotAllowedError` (autoplay policy),
 *   `NotSupportedError`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/play
 */
export function playWithTimeout(media: HTMLMediaElement, timeoutMs = 5_000): Promise<void> {
  return withTimeout(media.play(), timeoutMs, 'starting playback');
}
