/**
 * The list of recordings made during one visit: each one gets a player (with its duration fixed
 * so seeking works), its size and type, a Download link with a timestamped name, and Discard
 * (which revokes its object URL). Used by the recorder and screen-share pages.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/URL/createObjectURL_static
 * @see https://developer.mozilla.org/en-US/docs/Web/API/URL/revokeObjectURL_static
 */
import { fileExtension, formatBytes, formatDuration, recordingFileName } from '../media/formats';
import { loadRecording } from '../media/playback';
import type { RecorderState, RecordingResult, StopReason, StreamRecorder } from '../media/recorder';
import { h, setState } from './dom';

/**
 * One kept recording.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/URL/createObjectURL_static
 */
export interface RecordingEntry {
  id: number;
  result: RecordingResult;
  /** The object URL of its Blob (revoked on discard). */
  url: string;
  fileName: string;
  /** Playback duration in seconds once the player knows it, else `null`. */
  duration: number | null;
  /** `loading` → `ready`, or `failed` when the player could not load it. */
  state: 'loading' | 'ready' | 'failed';
  element: HTMLLIElement;
}

const REASON_TEXT: Record<StopReason, string> = {
  user: 'stopped by you',
  'track-ended': 'stopped because the source ended (kept)',
  error: 'stopped by a recorder error (kept)',
};

/**
 * A `<ul>` of recordings. `onProblem` receives load failures (to show in the page's problem box).
 * @see https://developer.mozilla.org/en-US/docs/Web/HTML/Reference/Elements/video
 */
export class RecordingList {
  readonly entries: RecordingEntry[] = [];
  readonly #list: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #onProblem: (err: unknown) => void;
  #nextId = 1;

  constructor(list: HTMLElement, onProblem: (err: unknown) => void) {
    this.#list = list;
    this.#onProblem = onProblem;
    this.#empty = h('li', { class: 'muted', 'data-empty': '' }, 'No recordings yet. They stay here until you close the page.');
    list.replaceChildren(this.#empty);
    addEventListener('pagehide', () => this.entries.forEach((e) => URL.revokeObjectURL(e.url)));
  }

  /** Adds a recording at the top of the list and loads it into its player. */
  add(result: RecordingResult): RecordingEntry {
    const id = this.#nextId++;
    const url = URL.createObjectURL(result.blob);
    const fileName = recordingFileName(result.mimeType, result.startedAt);
    const isVideo = result.mimeType.startsWith('video/');
    const player = isVideo ? h('video', { controls: '', playsinline: '' }) : h('audio', { controls: '' });
    const durationText = h('span', { class: 'rec-duration' }, 'loading…');
    const download = h('a', { href: url, download: fileName, class: 'button-link' }, `Download .${fileExtension(result.mimeType)}`);
    const discard = h('button', { type: 'button', class: 'secondary discard' }, 'Discard');
    const element = h(
      'li',
      { 'data-recording': String(id), 'data-reason': result.reason, 'data-state': 'loading' },
      player,
      h(
        'p',
        { class: 'rec-meta' },
        h('code', { class: 'rec-type' }, result.mimeType || '(unknown type)'),
        ` · ${formatBytes(result.blob.size)} · recorded ${formatDuration(result.elapsedMs)} · length `,
        durationText,
        ` · ${result.chunks} chunk${result.chunks === 1 ? '' : 's'} · ${REASON_TEXT[result.reason]}`,
      ),
      h('p', { class: 'row' }, download, discard, h('span', { class: 'muted' }, fileName)),
    );
    const entry: RecordingEntry = { id, result, url, fileName, duration: null, state: 'loading', element };
    this.entries.unshift(entry);
    this.#empty.remove();
    this.#list.prepend(element);
    discard.addEventListener('click', () => this.discard(id));
    loadRecording(player, url).then(
      (seconds) => {
        entry.state = 'ready';
        element.dataset.state = 'ready';
        if (Number.isFinite(seconds)) {
          entry.duration = seconds;
          durationText.textContent = formatDuration(seconds * 1000);
          return;
        }
        // It plays, but the player cannot tell how long it is (e.g. Firefox's audio-only WebM).
        element.dataset.duration = 'unknown';
        durationText.textContent = 'unknown';
        element.append(
          h(
            'p',
            { class: 'rec-note' },
            `This browser wrote no duration into this ${result.mimeType.split(';')[0]} file and cannot seek in it to find one, ` +
              `so the player shows no length and cannot jump ahead. The recording is complete and plays from the start; ` +
              `the recorded time above (${formatDuration(result.elapsedMs)}) is its length. ` +
              `For a file with a known length choose another format (in Firefox: Ogg audio).`,
          ),
        );
      },
      (err: unknown) => {
        entry.state = 'failed';
        element.dataset.state = 'failed';
        durationText.textContent = 'unknown (the player could not load it)';
        this.#onProblem(err);
      },
    );
    return entry;
  }

  /** Removes a recording and revokes its URL. Does nothing for an unknown id. */
  discard(id: number): void {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) return;
    this.entries.splice(this.entries.indexOf(entry), 1);
    URL.revokeObjectURL(entry.url);
    entry.element.remove();
    if (this.entries.length === 0) this.#list.replaceChildren(this.#empty);
  }
}

/**
 * Elements that show a live recorder (`chunks` may be left out).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/dataavailable_event
 */
export interface RecorderStatusElements {
  state: HTMLElement;
  elapsed: HTMLElement;
  mimeType: HTMLElement;
  chunks?: HTMLElement;
}

const STATE_TEXT: Record<RecorderState, string> = {
  inactive: 'inactive',
  recording: 'recording',
  paused: 'paused',
  stopping: 'stopping…',
};

/**
 * Shows `rec`'s state (`data-state`), elapsed time (`data-ms`, refreshed every 100 ms while it
 * runs), the mimeType it really uses and its chunks (`data-count`, `data-bytes`).
 * @returns a function that stops updating.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/state
 */
export function showRecorderStatus(rec: StreamRecorder, els: RecorderStatusElements): () => void {
  const tick = () => {
    const ms = Math.round(rec.elapsedMs());
    els.elapsed.dataset.ms = String(ms);
    els.elapsed.textContent = formatDuration(ms);
  };
  const showChunks = (count: number, bytes: number) => {
    if (!els.chunks) return;
    els.chunks.dataset.count = String(count);
    els.chunks.dataset.bytes = String(bytes);
    els.chunks.textContent = `${count} chunk${count === 1 ? '' : 's'} · ${formatBytes(bytes)}`;
  };
  const timer = setInterval(tick, 100);
  const offs = [
    rec.on('state', (state) => {
      setState(els.state, state, STATE_TEXT[state]);
      if (state !== 'inactive') els.mimeType.textContent = rec.mimeType || '(not known yet)';
      tick();
    }),
    rec.on('chunk', (_size, count, bytes) => showChunks(count, bytes)),
  ];
  showChunks(0, 0);
  tick();
  const stop = () => {
    clearInterval(timer);
    offs.forEach((off) => off());
    tick();
  };
  rec.once('stopped', stop);
  return stop;
}
