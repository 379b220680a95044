/**
 * Screen-share page: finds its elements and wires them to the display, screen-options, recorder
 * and recording-list modules. No capture logic lives here.
 */
import { getUserMedia, stopStream } from '../media/capture';
import { getDisplayMedia } from '../media/display';
import { defaultFormat, supportedFormats } from '../media/formats';
import { StreamRecorder } from '../media/recorder';
import {
  buildDisplayMediaOptions,
  DEFAULT_SCREEN_EDITOR,
  displayMediaCode,
  parseContentHint,
  type IncludeChoice,
  type ScreenEditorState,
} from '../media/screen-options';
import { $, exposeDebug, setState, showError, showProblem } from '../ui/dom';
import { RecordingList, showRecorderStatus } from '../ui/recording-list';

const el = {
  problem: $('#problem'),
  form: $('#options', HTMLFormElement),
  video: $('#opt-video', HTMLInputElement),
  audio: $('#opt-audio', HTMLInputElement),
  surface: $('#opt-surface', HTMLSelectElement),
  self: $('#opt-self', HTMLSelectElement),
  switching: $('#opt-switching', HTMLSelectElement),
  systemAudio: $('#opt-system-audio', HTMLSelectElement),
  currentTab: $('#opt-current-tab', HTMLInputElement),
  code: $('#options-code'),
  share: $('#share', HTMLButtonElement),
  cancel: $('#cancel', HTMLButtonElement),
  stop: $('#stop', HTMLButtonElement),
  shareState: $('#share-state'),
  shareHint: $('#share-hint'),
  preview: $('#preview', HTMLVideoElement),
  pip: $('#pip', HTMLVideoElement),
  cameraPip: $('#camera-pip', HTMLInputElement),
  contentHint: $('#content-hint', HTMLSelectElement),
  settings: {
    displaySurface: $('#set-surface'),
    width: $('#set-width'),
    height: $('#set-height'),
    frameRate: $('#set-frame-rate'),
    contentHint: $('#set-hint'),
    label: $('#set-label'),
  },
  record: $('#record', HTMLButtonElement),
  recordStop: $('#record-stop', HTMLButtonElement),
  recState: $('#rec-state'),
  elapsed: $('#elapsed'),
  mimeActual: $('#mime-actual'),
  recordings: $('#recordings'),
};

/** The share's state as the badge shows it. */
type ShareState = 'idle' | 'waiting' | 'live';
const SHARE_TEXT: Record<ShareState, string> = { idle: 'idle', waiting: 'waiting for your choice…', live: 'sharing' };

let share: ShareState = 'idle';
let stream: MediaStream | null = null;
let camera: MediaStream | null = null;
let pending: AbortController | null = null;
let recorder: StreamRecorder | null = null;
let settingsTimer: ReturnType<typeof setInterval> | undefined;
const list = new RecordingList(el.recordings, (err) => showError(el.problem, err, 'MediaRecorder'));

exposeDebug('screen', {
  get stream() { return stream; },
  get recorder() { return recorder; },
  get options() { return buildDisplayMediaOptions(editorState()); },
  list,
});

function include(select: HTMLSelectElement): IncludeChoice {
  const v = select.value;
  return v === 'include' || v === 'exclude' ? v : 'default';
}

function editorState(): ScreenEditorState {
  const s = el.surface.value;
  return {
    video: el.video.checked,
    audio: el.audio.checked,
    displaySurface: s === 'monitor' || s === 'window' || s === 'browser' ? s : 'any',
    selfBrowserSurface: include(el.self),
    surfaceSwitching: include(el.switching),
    systemAudio: include(el.systemAudio),
    preferCurrentTab: el.currentTab.checked,
  };
}

function showCode(): void {
  el.code.textContent = displayMediaCode(buildDisplayMediaOptions(editorState()));
}

function videoTrack(): MediaStreamTrack | undefined {
  return stream?.getVideoTracks()[0];
}

function renderSettings(): void {
  const track = videoTrack();
  const s = (track?.getSettings() ?? {}) as MediaTrackSettings & { displaySurface?: string };
  const show = (key: keyof typeof el.settings, value: string | number | boolean | undefined) => {
    el.settings[key].textContent = value === undefined || value === '' ? '–' : String(value);
  };
  show('displaySurface', s.displaySurface);
  show('width', s.width);
  show('height', s.height);
  show('frameRate', typeof s.frameRate === 'number' ? Math.round(s.frameRate * 100) / 100 : undefined);
  show('contentHint', track ? track.contentHint || '(none)' : undefined);
  show('label', track?.label);
}

function render(): void {
  setState(el.shareState, share, SHARE_TEXT[share]);
  const recState = recorder?.state ?? 'inactive';
  el.share.disabled = share !== 'idle';
  el.cancel.hidden = share !== 'waiting';
  el.stop.disabled = share !== 'live';
  el.contentHint.disabled = share !== 'live';
  el.record.disabled = share !== 'live' || recState !== 'inactive';
  el.recordStop.disabled = recState !== 'recording' && recState !== 'paused';
  for (const input of el.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) input.disabled = share !== 'idle';
  renderSettings();
}

/** Ends the share (from the page or from outside) and says why in the hint. */
function endShare(why: string): void {
  clearInterval(settingsTimer);
  stopStream(stream);
  stream = null;
  el.preview.srcObject = null;
  share = 'idle';
  el.shareHint.textContent = why;
  render();
}

async function startShare(): Promise<void> {
  showProblem(el.problem, null);
  const controller = new AbortController();
  pending = controller;
  share = 'waiting';
  el.shareHint.textContent = 'The browser is asking you what to share. Pick a screen, window or tab, or press Cancel.';
  render();
  try {
    const s = await getDisplayMedia(buildDisplayMediaOptions(editorState()), controller.signal);
    stream = s;
    share = 'live';
    el.preview.srcObject = s;
    el.contentHint.value = s.getVideoTracks()[0]?.contentHint ?? '';
    el.shareHint.textContent = `Sharing ${s.getTracks().map((t) => `${t.kind} "${t.label}"`).join(' and ')}.`;
    for (const track of s.getTracks()) {
      track.addEventListener('ended', () => {
        if (stream !== s) return;
        endShare(`Sharing stopped from outside the page (the browser's "Stop sharing" bar, or the shared window closed): the ${track.kind} track ended.`);
      });
    }
    settingsTimer = setInterval(renderSettings, 1000);
  } catch (err) {
    share = 'idle';
    if (controller.signal.aborted) {
      el.shareHint.textContent = 'You cancelled. Nothing is shared.';
    } else {
      el.shareHint.textContent = 'Sharing did not start: see the problem above.';
      showError(el.problem, err, 'getDisplayMedia');
    }
  } finally {
    pending = null;
    render();
  }
}

function recordThis(): void {
  showProblem(el.problem, null);
  if (!stream) return;
  try {
    const formats = supportedFormats((t) => MediaRecorder.isTypeSupported(t), 'video');
    const rec = new StreamRecorder(stream, { mimeType: defaultFormat(formats)?.mimeType, timeslice: 1000 });
    recorder = rec;
    showRecorderStatus(rec, { state: el.recState, elapsed: el.elapsed, mimeType: el.mimeActual });
    rec.on('state', render);
    rec.on('error', (err) => showError(el.problem, err, 'MediaRecorder'));
    rec.on('stopped', (result) => {
      list.add(result);
      render();
    });
    rec.start();
  } catch (err) {
    showError(el.problem, err, 'MediaRecorder');
  }
  render();
}

async function toggleCameraPip(): Promise<void> {
  if (!el.cameraPip.checked) {
    stopStream(camera);
    camera = null;
    el.pip.srcObject = null;
    el.pip.hidden = true;
    return;
  }
  try {
    camera = await getUserMedia({ video: { width: { ideal: 320 } } });
    el.pip.srcObject = camera;
    el.pip.hidden = false;
  } catch (err) {
    el.cameraPip.checked = false;
    showError(el.problem, err, 'getUserMedia');
  }
}

el.form.addEventListener('input', showCode);
el.form.addEventListener('change', showCode);
el.form.addEventListener('submit', (ev) => ev.preventDefault());
el.share.addEventListener('click', () => void startShare());
el.cancel.addEventListener('click', () => pending?.abort());
el.stop.addEventListener('click', () => {
  // track.stop() fires no `ended` event: stop a running recording ourselves so it is kept.
  void recorder?.stop();
  endShare('You stopped sharing from the page.');
});
el.contentHint.addEventListener('change', () => {
  const track = videoTrack();
  if (track) track.contentHint = parseContentHint(el.contentHint.value);
  renderSettings();
});
el.record.addEventListener('click', recordThis);
el.recordStop.addEventListener('click', () => void recorder?.stop());
el.cameraPip.addEventListener('change', () => void toggleCameraPip());

el.video.checked = DEFAULT_SCREEN_EDITOR.video;
el.audio.checked = DEFAULT_SCREEN_EDITOR.audio;
showCode();
render();
