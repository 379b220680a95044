/**
 * Recorder page: finds its elements and wires them to the capture, display, formats, recorder and
 * recording-list modules. No MediaRecorder logic lives here.
 */
import { PlaygroundError } from '../errors/playground-error';
import { getUserMedia, stopStream } from '../media/capture';
import { getDisplayMedia } from '../media/display';
import { defaultFormat, supportedFormats, type RecordingKind } from '../media/formats';
import { StreamRecorder, type StreamRecorderOptions } from '../media/recorder';
import { buildDisplayMediaOptions, DEFAULT_SCREEN_EDITOR } from '../media/screen-options';
import { initPage } from '../ui/page';
import { $, exposeDebug, h, setState, showError, showProblem } from '../ui/dom';
import { RecordingList, showRecorderStatus } from '../ui/recording-list';

initPage();

const el = {
  problem: $('#problem'),
  source: $('#source', HTMLSelectElement),
  openSource: $('#open-source', HTMLButtonElement),
  cancelSource: $('#cancel-source', HTMLButtonElement),
  closeSource: $('#close-source', HTMLButtonElement),
  sourceState: $('#source-state'),
  sourceHint: $('#source-hint'),
  preview: $('#preview', HTMLVideoElement),
  format: $('#format', HTMLSelectElement),
  videoKbps: $('#video-kbps', HTMLInputElement),
  audioKbps: $('#audio-kbps', HTMLInputElement),
  timeslice: $('#timeslice', HTMLInputElement),
  start: $('#start', HTMLButtonElement),
  pause: $('#pause', HTMLButtonElement),
  resume: $('#resume', HTMLButtonElement),
  stop: $('#stop', HTMLButtonElement),
  recState: $('#rec-state'),
  elapsed: $('#elapsed'),
  mimeActual: $('#mime-actual'),
  chunks: $('#chunks'),
  recordings: $('#recordings'),
};

type SourceKind = 'camera' | 'screen' | 'audio';
/** The source's state as the badge shows it. */
type SourceState = 'none' | 'opening' | 'waiting' | 'live' | 'ended';

const SOURCE_TEXT: Record<SourceState, string> = {
  none: 'none',
  opening: 'opening…',
  waiting: 'waiting for your choice…',
  live: 'live',
  ended: 'ended',
};

let stream: MediaStream | null = null;
let recorder: StreamRecorder | null = null;
let pending: AbortController | null = null;
const list = new RecordingList(el.recordings, (err) => showError(el.problem, err, 'MediaRecorder'));

exposeDebug('recorder', {
  get stream() { return stream; },
  get recorder() { return recorder; },
  list,
});

function sourceKind(): SourceKind {
  const v = el.source.value;
  return v === 'screen' || v === 'audio' ? v : 'camera';
}

function recordingKind(): RecordingKind {
  return sourceKind() === 'audio' ? 'audio' : 'video';
}

function fillFormats(): void {
  const hasRecorder = typeof MediaRecorder === 'function';
  const formats = hasRecorder ? supportedFormats((t) => MediaRecorder.isTypeSupported(t), recordingKind()) : [];
  const chosen = defaultFormat(formats);
  el.format.replaceChildren(
    ...formats.map((f) => h('option', { value: f.mimeType }, `${f.label} — ${f.mimeType}`)),
    h('option', { value: '' }, '(let the browser choose)'),
  );
  el.format.value = chosen?.mimeType ?? '';
  if (!hasRecorder) showError(el.problem, new PlaygroundError('UnsupportedError', 'MediaRecorder is not available'));
}

function renderButtons(): void {
  const state = recorder?.state ?? 'inactive';
  const busy = state !== 'inactive';
  el.start.disabled = busy;
  el.pause.disabled = state !== 'recording';
  el.resume.disabled = state !== 'paused';
  el.stop.disabled = state !== 'recording' && state !== 'paused';
  el.openSource.disabled = busy || pending !== null;
  el.source.disabled = busy || pending !== null;
  el.closeSource.disabled = busy || stream === null;
  el.cancelSource.hidden = pending === null;
  for (const input of [el.format, el.videoKbps, el.audioKbps, el.timeslice]) input.disabled = busy;
}

function setSource(state: SourceState, hint: string): void {
  setState(el.sourceState, state, SOURCE_TEXT[state]);
  el.sourceHint.textContent = hint;
  renderButtons();
}

function closeSource(): void {
  stopStream(stream);
  stream = null;
  el.preview.srcObject = null;
}

async function openSource(): Promise<void> {
  showProblem(el.problem, null);
  closeSource();
  const kind = sourceKind();
  const controller = new AbortController();
  pending = controller;
  setSource(kind === 'screen' ? 'waiting' : 'opening',
    kind === 'screen' ? 'Pick a screen, window or tab in the browser\'s dialog, or press Cancel.' : 'Asking for the camera/microphone…');
  try {
    const s = kind === 'screen'
      ? await getDisplayMedia(buildDisplayMediaOptions({ ...DEFAULT_SCREEN_EDITOR, audio: true }), controller.signal)
      : await getUserMedia(kind === 'audio' ? { audio: true } : { audio: true, video: true });
    stream = s;
    el.preview.srcObject = s;
    for (const track of s.getTracks()) {
      track.addEventListener('ended', () => {
        if (stream !== s || recorder?.state === 'recording' || recorder?.state === 'paused') return;
        closeSource();
        setSource('ended', `The ${track.kind} source ended (stopped from outside the page). Open it again to record.`);
      });
    }
    const kinds = s.getTracks().map((t) => `${t.kind}: ${t.label}`).join(' · ');
    pending = null;
    setSource('live', kinds);
  } catch (err) {
    pending = null;
    if (controller.signal.aborted) {
      setSource('none', 'You cancelled the screen choice. Open a source to record it.');
    } else {
      setSource('none', 'Opening the source failed: the reason is shown below and in the problem box.');
      showError(el.problem, err, kind === 'screen' ? 'getDisplayMedia' : 'getUserMedia', { near: el.openSource });
    }
  }
}

/** Reads an optional positive number input; `scale` converts its unit (kbps → bps). */
function optionalNumber(input: HTMLInputElement, scale = 1): number | undefined {
  if (input.value.trim() === '') return undefined;
  const n = Number(input.value) * scale;
  if (!(Number.isFinite(n) && n > 0)) throw new TypeError(`${input.labels?.[0]?.textContent?.trim() ?? input.id} must be a positive number`);
  return n;
}

function start(): void {
  showProblem(el.problem, null);
  try {
    if (!stream || !stream.getTracks().some((t) => t.readyState === 'live')) {
      throw new PlaygroundError('NoSourceError', 'no live source stream to record');
    }
    const options: StreamRecorderOptions = {
      mimeType: el.format.value || undefined,
      videoBitsPerSecond: optionalNumber(el.videoKbps, 1000),
      audioBitsPerSecond: optionalNumber(el.audioKbps, 1000),
      timeslice: optionalNumber(el.timeslice),
    };
    const rec = new StreamRecorder(stream, options);
    recorder = rec;
    showRecorderStatus(rec, { state: el.recState, elapsed: el.elapsed, mimeType: el.mimeActual, chunks: el.chunks });
    rec.on('state', renderButtons);
    rec.on('error', (err) => showError(el.problem, err, 'MediaRecorder'));
    rec.on('trackended', (track) => {
      showError(el.problem, new PlaygroundError('SourceEndedError', `the ${track.kind} track "${track.label}" ended`));
    });
    rec.on('stopped', (result) => {
      list.add(result);
      if (result.reason === 'track-ended') {
        closeSource();
        setSource('ended', 'The source ended during the recording; the recording was stopped and kept below.');
      }
      renderButtons();
    });
    rec.start();
  } catch (err) {
    showError(el.problem, err, 'MediaRecorder', { near: el.start });
  }
  renderButtons();
}

function act(action: (r: StreamRecorder) => unknown): void {
  if (!recorder) return;
  try {
    action(recorder);
  } catch (err) {
    showError(el.problem, err, 'MediaRecorder');
  }
  renderButtons();
}

el.source.addEventListener('change', () => {
  fillFormats();
  closeSource();
  setSource('none', 'Open a source to record it.');
});
el.openSource.addEventListener('click', () => void openSource());
el.cancelSource.addEventListener('click', () => pending?.abort());
el.closeSource.addEventListener('click', () => {
  closeSource();
  setSource('none', 'Source closed. Open a source to record it.');
});
el.start.addEventListener('click', start);
el.pause.addEventListener('click', () => act((r) => r.pause()));
el.resume.addEventListener('click', () => act((r) => r.resume()));
el.stop.addEventListener('click', () => act((r) => r.stop()));

fillFormats();
renderButtons();
