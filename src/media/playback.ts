/**
 * Playing a recording back in a `<video>`/`<audio>`: loading a Blob URL with a time limit, and
 * fixing the `Infinity` duration of WebM files from Chromium's MediaRecorder (they carry no
 * duration) with the known trick of seeking far past the end, so the player shows the real length
 * and seeking works.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/duration
 * @see https://bugs.chromium.org/p/chromium/issues/detail?id=642012
 */
import { PlaygroundError } from '../errors/playground-error';

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

/** How long the seek-past-the-end trick may take to reveal a duration (ms) before giving up on it. */
const DURATION_FIX_MS = 3_000;

/**
 * Loads `url` into `media` and waits until its duration is known (seconds). For WebM with
 * `duration === Infinity` (Chromium writes none), sets `currentTime = 1e101`, waits for the real
 * duration, then seeks back to 0. When that cannot work, the duration stays `Infinity` and the
 * file still plays: the element has no seekable range (Firefox's audio-only WebM), or no duration
 * came within {@link DURATION_FIX_MS}.
 *
 * @param timeoutMs give up loading after this long (ms).
 * @returns the duration in seconds, or `Infinity` when the file carries none the player can find.
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
    // No seekable range: seeking to the end is impossible, so no event would ever bring a duration.
    if (!Number.isFinite(media.duration) && media.seekable.length > 0) {
      const found = (async () => {
        const known = nextEvent(media, ['durationchange', 'timeupdate']);
        media.currentTime = 1e101;
        await known;
        while (!Number.isFinite(media.duration)) await nextEvent(media, ['durationchange', 'timeupdate']);
      })();
      const fixed = await withTimeout(found, DURATION_FIX_MS, 'finding the duration').then(
        () => true,
        (err: unknown) => {
          if (err instanceof PlaygroundError && err.name === 'TimeoutError') return false;
          throw err;
        },
      );
      const back = nextEvent(media, ['seeked']);
      media.currentTime = 0;
      if (fixed) await back;
      // A later media error is the player's to show (its controls say it), not a load failure.
      else back.catch((err: unknown) => console.warn('the player reported an error after loading:', err));
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
