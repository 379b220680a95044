/**
 * Track inspector: renders one MediaStreamTrack's kind, label, id, enabled, muted, readyState and
 * its `getSettings()`, `getCapabilities()` and `getConstraints()`, kept live (track events plus a
 * 1 s refresh, since settings can change without an event).
 *
 * Fields carry `data-field` and state badges `data-state`, so tests read them without parsing text.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack
 */
import { formatJSON, h, setState } from './dom';

const FIELDS = ['kind', 'label', 'id', 'enabled', 'muted', 'readyState'] as const;
type Field = (typeof FIELDS)[number];

const HINTS: Record<Field, string> = {
  kind: '"audio" or "video".',
  label: 'The device name (empty before permission).',
  id: 'A random id for this track (not the device).',
  enabled: 'false = muted by the page: silence / black frames, but the device stays on.',
  muted: 'true = the source gives no data right now (device paused by the browser or OS); not under page control.',
  readyState: '"live" while capturing; "ended" after stop() or when the device is gone, and it cannot come back.',
};

/**
 * Renders a track into an element it owns; call {@link TrackInspector.refresh} after changing the track
 * (`stop()` fires no `ended` event).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/getSettings
 */
export class TrackInspector {
  /** The element to insert into the page (`<section class="track-inspector" data-kind>`). */
  readonly element: HTMLElement;
  readonly #track: MediaStreamTrack;
  readonly #values = new Map<Field, HTMLElement>();
  readonly #settings = h('pre', { 'data-field': 'settings' });
  readonly #capabilities = h('pre', { 'data-field': 'capabilities' });
  readonly #constraints = h('pre', { 'data-field': 'constraints' });
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #onEvent = () => this.refresh();

  /**
   * @param track the track to show.
   * @param actions extra nodes (buttons) to show under the title.
   */
  constructor(track: MediaStreamTrack, actions: Node[] = []) {
    this.#track = track;
    const dl = h('dl', { class: 'states' });
    for (const f of FIELDS) {
      const value = h('span', { 'data-field': f });
      this.#values.set(f, value);
      dl.append(h('dt', { title: HINTS[f] }, f), h('dd', {}, value, ' ', h('span', { class: 'muted' }, HINTS[f])));
    }
    this.element = h(
      'section',
      { class: 'card track-inspector', 'data-kind': track.kind },
      h('h3', {}, `${track.kind} track`),
      ...(actions.length ? [h('p', { class: 'row' }, ...actions)] : []),
      dl,
      h('div', { class: 'grid3' },
        h('div', {}, h('h4', {}, 'getSettings()'), h('p', { class: 'hint' }, 'What the track is really doing now.'), this.#settings),
        h('div', {}, h('h4', {}, 'getCapabilities()'), h('p', { class: 'hint' }, 'What the device can do (ranges).'), this.#capabilities),
        h('div', {}, h('h4', {}, 'getConstraints()'), h('p', { class: 'hint' }, 'What was last asked for.'), this.#constraints),
      ),
    );
    for (const ev of ['mute', 'unmute', 'ended']) track.addEventListener(ev, this.#onEvent);
    this.#timer = setInterval(this.#onEvent, 1000);
    this.refresh();
  }

  /** Re-reads every field from the track. */
  refresh(): void {
    const t = this.#track;
    for (const f of FIELDS) {
      const el = this.#values.get(f);
      if (!el) continue;
      const v = t[f];
      if (typeof v === 'boolean' || f === 'readyState') setState(el, String(v));
      else {
        el.textContent = v === '' ? '(empty)' : String(v);
        el.className = 'mono';
      }
      if (typeof v === 'boolean' || f === 'readyState') el.className = 'badge';
    }
    this.#settings.textContent = formatJSON(t.getSettings());
    // getCapabilities is missing in older Firefox.
    this.#capabilities.textContent = typeof t.getCapabilities === 'function' ? formatJSON(t.getCapabilities()) : 'not supported by this browser';
    this.#constraints.textContent = formatJSON(t.getConstraints());
  }

  /** Stops refreshing and removes the element (the track itself is left alone). */
  dispose(): void {
    clearInterval(this.#timer);
    for (const ev of ['mute', 'unmute', 'ended']) this.#track.removeEventListener(ev, this.#onEvent);
    this.element.remove();
  }
}

/**
 * Calls `onSize(width, height)` (px of the decoded frames, 0×0 before the first frame) now and
 * on every `resize` of `video`.
 * @returns a function that stops watching.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLVideoElement/videoWidth
 */
export function watchFrameSize(video: HTMLVideoElement, onSize: (width: number, height: number) => void): () => void {
  const handler = () => onSize(video.videoWidth, video.videoHeight);
  video.addEventListener('resize', handler);
  video.addEventListener('loadedmetadata', handler);
  handler();
  return () => {
    video.removeEventListener('resize', handler);
    video.removeEventListener('loadedmetadata', handler);
  };
}

/**
 * Resolves with the video's frame size after its next `resize` event, or after `timeoutMs` (ms)
 * when the size does not change (e.g. only the frame rate changed).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/resize_event
 */
export function nextFrameSize(video: HTMLVideoElement, timeoutMs = 1500): Promise<{ width: number; height: number }> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      video.removeEventListener('resize', done);
      resolve({ width: video.videoWidth, height: video.videoHeight });
    };
    const timer = setTimeout(done, timeoutMs);
    video.addEventListener('resize', done);
  });
}
