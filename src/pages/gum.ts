/**
 * getUserMedia playground: finds its elements and wires them to the media modules (constraints,
 * capture, devices, level meter, track inspector). No capture logic lives here.
 */
import {
  AUDIO_PROCESSING,
  CONSTRAINT_MODES,
  NUMERIC_CONSTRAINTS,
  buildConstraints,
  clampToCapabilities,
  unmetSettings,
  type ConstraintMode,
  type EditorState,
  type NumericRequest,
} from '../media/constraints';
import { applyConstraints, getUserMedia, mediaDevices, stopStream } from '../media/capture';
import { deviceLabel, listDevices, onDeviceChange } from '../media/devices';
import { LevelMeter } from '../media/level-meter';
import { initPage } from '../ui/page';
import { $, copyText, formatJSON, h, setState, showError, showProblem } from '../ui/dom';
import { TrackInspector, nextFrameSize, watchFrameSize } from '../ui/track-inspector';

initPage();

const el = {
  problem: $('#problem'),
  editor: $('#editor', HTMLFormElement),
  audio: $('#audio', HTMLInputElement),
  audioDevice: $('#audio-device', HTMLSelectElement),
  processing: Object.fromEntries(AUDIO_PROCESSING.map((k) => [k, $(`#${k}`, HTMLSelectElement)])) as Record<(typeof AUDIO_PROCESSING)[number], HTMLSelectElement>,
  video: $('#video', HTMLInputElement),
  videoDevice: $('#video-device', HTMLSelectElement),
  numbers: Object.fromEntries(NUMERIC_CONSTRAINTS.map((k) => [k, { value: $(`#${k}`, HTMLInputElement), mode: $(`#${k}-mode`, HTMLSelectElement) }])) as Record<
    (typeof NUMERIC_CONSTRAINTS)[number],
    { value: HTMLInputElement; mode: HTMLSelectElement }
  >,
  facingMode: $('#facing-mode', HTMLSelectElement),
  facingModeMode: $('#facing-mode-mode', HTMLSelectElement),
  code: $('#constraints-code'),
  copy: $('#copy-constraints', HTMLButtonElement),
  start: $('#start', HTMLButtonElement),
  stopAll: $('#stop-all', HTMLButtonElement),
  captureState: $('#capture-state'),
  preview: $('#preview', HTMLVideoElement),
  frameSize: $('#frame-size'),
  tracks: $('#tracks'),
  apply: $('#apply', HTMLButtonElement),
  applyInputs: Object.fromEntries(NUMERIC_CONSTRAINTS.map((k) => [k, $(`#apply-${k}`, HTMLInputElement)])) as Record<(typeof NUMERIC_CONSTRAINTS)[number], HTMLInputElement>,
  applyState: $('#apply-state'),
  applyNote: $('#apply-note'),
  settingsBefore: $('#settings-before'),
  settingsAfter: $('#settings-after'),
  frameBefore: $('#frame-before'),
  frameAfter: $('#frame-after'),
  level: $('#level', HTMLMeterElement),
  levelDb: $('#level-db'),
  levelHz: $('#level-hz'),
  supported: $('#supported', HTMLTableElement),
};

const MODE_TEXT: Record<ConstraintMode, string> = {
  plain: 'plain value',
  ideal: 'ideal',
  exact: 'exact',
  min: 'min',
  max: 'max',
};
for (const select of [...Object.values(el.numbers).map((n) => n.mode), el.facingModeMode]) {
  select.replaceChildren(...CONSTRAINT_MODES.map((m) => h('option', { value: m }, MODE_TEXT[m])));
  select.value = 'ideal';
}

/** The capture lifecycle shown in the badge. */
type CaptureState = 'idle' | 'requesting' | 'live' | 'stopped' | 'failed';

let stream: MediaStream | null = null;
let inspectors: TrackInspector[] = [];
let meter: LevelMeter | null = null;

function readEditor(): EditorState {
  const num = (input: HTMLInputElement): number | null => (input.value.trim() === '' ? null : Number(input.value));
  const tri = (s: HTMLSelectElement): boolean | null => (s.value === '' ? null : s.value === 'true');
  return {
    audio: el.audio.checked,
    processing: { echoCancellation: tri(el.processing.echoCancellation), noiseSuppression: tri(el.processing.noiseSuppression), autoGainControl: tri(el.processing.autoGainControl) },
    audioDeviceId: el.audioDevice.value,
    video: el.video.checked,
    numbers: Object.fromEntries(
      NUMERIC_CONSTRAINTS.map((k) => [k, { value: num(el.numbers[k].value), mode: el.numbers[k].mode.value as ConstraintMode }]),
    ) as EditorState['numbers'],
    facingMode: el.facingMode.value as EditorState['facingMode'],
    facingModeMode: el.facingModeMode.value as ConstraintMode,
    videoDeviceId: el.videoDevice.value,
  };
}

/** Shows the constraints object Start will pass; returns it (or null when a value is invalid). */
function renderCode(): MediaStreamConstraints | null {
  try {
    const c = buildConstraints(readEditor());
    el.code.textContent = formatJSON(c);
    el.code.dataset.valid = 'true';
    return c;
  } catch (err) {
    el.code.textContent = `// ${err instanceof Error ? err.message : String(err)}`;
    el.code.dataset.valid = 'false';
    return null;
  }
}

function setCapture(state: CaptureState): void {
  setState(el.captureState, state);
  const live = state === 'live';
  el.stopAll.disabled = !live;
  el.apply.disabled = !(live && stream?.getVideoTracks().some((t) => t.readyState === 'live'));
  el.start.textContent = live ? 'Restart with these constraints' : 'Start (getUserMedia)';
}

async function fillDeviceSelects(): Promise<void> {
  const groups = await listDevices();
  const fill = (select: HTMLSelectElement, anyText: string, list: readonly MediaDeviceInfo[]) => {
    const keep = select.value;
    select.replaceChildren(
      h('option', { value: '' }, anyText),
      ...list.filter((d) => d.deviceId !== '').map((d, i) => h('option', { value: d.deviceId }, deviceLabel(d, i))),
    );
    select.value = [...select.options].some((o) => o.value === keep) ? keep : '';
  };
  fill(el.audioDevice, groups.labelsHidden ? 'any microphone (names appear after Start)' : 'any microphone', groups.audioinput);
  fill(el.videoDevice, groups.labelsHidden ? 'any camera (names appear after Start)' : 'any camera', groups.videoinput);
}

function stopMeter(): void {
  meter?.close();
  meter = null;
  el.level.value = 0;
  setState(el.levelDb, 'off', 'no microphone');
  el.levelHz.dataset.hz = '0';
  el.levelHz.textContent = '–';
}

function startMeter(track: MediaStreamTrack): void {
  stopMeter();
  try {
    meter = new LevelMeter(track);
  } catch (err) {
    showError(el.problem, err, 'getUserMedia');
    return;
  }
  meter.start((r) => {
    el.level.value = Math.min(1, r.rms * 2);
    const db = Number.isFinite(r.dbfs) ? `${r.dbfs.toFixed(1)} dBFS` : 'silence';
    setState(el.levelDb, r.rms > 0.01 ? 'sound' : 'silent', db);
    const hz = Math.round(r.peakHz);
    el.levelHz.dataset.hz = String(hz);
    el.levelHz.textContent = hz > 0 ? `${hz} Hz` : '–';
  });
}

function releaseAll(): void {
  stopMeter();
  for (const i of inspectors) i.dispose();
  inspectors = [];
  stopStream(stream);
  stream = null;
  el.preview.srcObject = null;
}

function renderTracks(s: MediaStream): void {
  el.tracks.replaceChildren();
  for (const track of s.getTracks()) {
    const mute = h('button', { type: 'button', class: 'secondary', 'data-action': 'toggle-enabled' }, 'Disable (enabled = false)');
    const stop = h('button', { type: 'button', class: 'danger', 'data-action': 'stop' }, 'Stop (track.stop())');
    const inspector = new TrackInspector(track, [mute, stop]);
    mute.addEventListener('click', () => {
      track.enabled = !track.enabled;
      mute.textContent = track.enabled ? 'Disable (enabled = false)' : 'Enable again (enabled = true)';
      inspector.refresh();
    });
    stop.addEventListener('click', () => {
      track.stop(); // fires no "ended" event: refresh by hand
      mute.disabled = true;
      stop.disabled = true;
      if (track.kind === 'audio') stopMeter();
      inspector.refresh();
      if (s.getTracks().every((t) => t.readyState === 'ended')) setCapture('stopped');
      else setCapture('live');
    });
    inspectors.push(inspector);
    el.tracks.append(inspector.element);
  }
}

async function start(): Promise<void> {
  renderCode();
  let constraints: MediaStreamConstraints;
  try {
    constraints = buildConstraints(readEditor());
  } catch (err) {
    showError(el.problem, err, 'getUserMedia', { near: el.start }); // a negative or empty-looking number: a TypeError
    return;
  }
  showProblem(el.problem, null);
  releaseAll(); // never leak the previous tracks: the camera would stay on
  setCapture('requesting');
  el.tracks.replaceChildren(h('p', { class: 'muted' }, 'Waiting for getUserMedia… (answer the browser\'s permission prompt)'));
  try {
    stream = await getUserMedia(constraints);
  } catch (err) {
    setCapture('failed');
    el.tracks.replaceChildren(h('p', { class: 'muted' }, 'getUserMedia failed: see the explanation at the top.'));
    showError(el.problem, err, 'getUserMedia', { near: el.start });
    return;
  }
  el.preview.srcObject = stream;
  renderTracks(stream);
  const audio = stream.getAudioTracks()[0];
  if (audio) startMeter(audio);
  setCapture('live');
  try {
    await fillDeviceSelects(); // labels are readable now
  } catch (err) {
    showError(el.problem, err, 'enumerateDevices');
  }
}

async function apply(): Promise<void> {
  const track = stream?.getVideoTracks().find((t) => t.readyState === 'live');
  if (!track) return;
  const request: NumericRequest = {};
  for (const k of NUMERIC_CONSTRAINTS) {
    const v = el.applyInputs[k].value.trim();
    if (v !== '') request[k] = Number(v);
  }
  showProblem(el.problem, null);
  if (Object.keys(request).length === 0) {
    // applyConstraints({}) would drop every constraint (the track falls back to its defaults).
    el.applyNote.textContent = 'Fill in at least one field first: an empty applyConstraints({}) would remove all constraints instead.';
    return;
  }
  let clamp;
  try {
    clamp = clampToCapabilities(request, typeof track.getCapabilities === 'function' ? track.getCapabilities() : {});
  } catch (err) {
    setState(el.applyState, 'failed');
    showError(el.problem, err, 'applyConstraints', { near: el.apply });
    return;
  }
  el.applyNote.textContent =
    `Passing ${JSON.stringify(clamp.constraints)}. ` +
    (clamp.clamped.length
      ? clamp.clamped.map((c) => `${c.name} ${c.requested} is outside the capability range ${c.range.min ?? '?'}–${c.range.max ?? '?'}, so ${c.used} is used.`).join(' ')
      : 'All values are inside the capabilities.');
  el.settingsBefore.textContent = formatJSON(track.getSettings());
  el.frameBefore.textContent = `${el.preview.videoWidth}×${el.preview.videoHeight}`;
  setState(el.applyState, 'applying');
  const resized = nextFrameSize(el.preview);
  try {
    await applyConstraints(track, clamp.constraints);
  } catch (err) {
    setState(el.applyState, 'failed');
    el.settingsAfter.textContent = `${formatJSON(track.getSettings())}\n// unchanged: applyConstraints failed`;
    showError(el.problem, err, 'applyConstraints', { near: el.apply });
    return;
  }
  const after = track.getSettings();
  el.settingsAfter.textContent = formatJSON(after);
  const unmet = unmetSettings(clamp.constraints, after);
  el.applyNote.dataset.unmet = unmet.map((u) => u.name).join(' ');
  if (unmet.length > 0) {
    el.applyNote.textContent +=
      ' ' +
      unmet
        .map((u) => `applyConstraints() accepted ${u.name} ${u.asked}, but getSettings() still reports ${u.reported ?? 'nothing'}.`)
        .join(' ') +
      ' The call succeeded, yet some browsers (Firefox, for one) keep reporting the camera\'s own value: look at the frames you really get, not only at the settings.';
  }
  for (const i of inspectors) i.refresh();
  const size = await resized;
  el.frameAfter.textContent = `${size.width}×${size.height}`;
  setState(el.applyState, 'applied');
}

function renderSupported(md: MediaDevices): void {
  const supported = md.getSupportedConstraints() as Record<string, boolean>;
  const names = Object.keys(supported).sort();
  el.supported.replaceChildren(
    h('thead', {}, h('tr', {}, h('th', {}, 'Constraint'), h('th', {}, 'Supported'))),
    h('tbody', {}, ...names.map((n) => h('tr', { 'data-constraint': n }, h('td', {}, h('code', {}, n)), h('td', {}, String(supported[n]))))),
  );
}

el.editor.addEventListener('input', renderCode);
el.editor.addEventListener('change', renderCode);
el.editor.addEventListener('submit', (ev) => ev.preventDefault());
el.copy.addEventListener('click', async () => {
  el.copy.textContent = (await copyText(el.code.textContent ?? '')) ? 'Copied' : 'Copy failed: select the text';
  setTimeout(() => (el.copy.textContent = 'Copy'), 2000);
});
el.start.addEventListener('click', () => void start());
el.stopAll.addEventListener('click', () => {
  stopMeter();
  for (const t of stream?.getTracks() ?? []) t.stop();
  for (const i of inspectors) i.refresh();
  for (const b of el.tracks.querySelectorAll('button')) b.disabled = true;
  setCapture('stopped');
});
el.apply.addEventListener('click', () => void apply());
watchFrameSize(el.preview, (w, hgt) => {
  el.frameSize.dataset.width = String(w);
  el.frameSize.dataset.height = String(hgt);
  el.frameSize.textContent = w > 0 ? `${w}×${hgt} px` : 'no video';
});
renderCode();
setCapture('idle');

try {
  const md = mediaDevices();
  renderSupported(md);
  onDeviceChange(() => void fillDeviceSelects().catch((err: unknown) => showError(el.problem, err, 'enumerateDevices')));
  void fillDeviceSelects().catch((err: unknown) => showError(el.problem, err, 'enumerateDevices'));
} catch (err) {
  // Insecure context (plain http off localhost) or no media API: nothing on this page can work.
  showError(el.problem, err, 'getUserMedia');
  el.start.disabled = true;
  setCapture('failed');
  el.supported.replaceChildren(h('tbody', {}, h('tr', {}, h('td', { class: 'muted' }, 'navigator.mediaDevices is not available here.'))));
}
