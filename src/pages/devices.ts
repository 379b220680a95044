/**
 * Device picker page: finds its elements and wires them to the device, permission and sink
 * modules. No device logic lives here.
 */
import { mediaDevices, stopStream } from '../media/capture';
import {
  DEVICE_KINDS,
  deviceLabel,
  listDevices,
  loadChoices,
  onDeviceChange,
  openInputs,
  replaceInputTrack,
  resolveChoice,
  saveChoice,
  type DeviceGroups,
  type DeviceKind,
  type InputKind,
} from '../media/devices';
import { watchPermission, type MediaPermissionName } from '../media/permissions';
import { SINK_SUPPORT_TEXT, applySink, currentSink, playTestTone, sinkSupported } from '../media/sink';
import { $, h, setState, showError, showProblem } from '../ui/dom';

const el = {
  problem: $('#problem'),
  perm: { camera: $('#perm-camera'), microphone: $('#perm-microphone') } satisfies Record<MediaPermissionName, HTMLElement>,
  labelsNotice: $('#labels-notice'),
  grant: $('#grant', HTMLButtonElement),
  selects: {
    audioinput: $('#audioinput', HTMLSelectElement),
    videoinput: $('#videoinput', HTMLSelectElement),
    audiooutput: $('#audiooutput', HTMLSelectElement),
  } satisfies Record<DeviceKind, HTMLSelectElement>,
  listInfo: $('#list-info'),
  fallback: $('#fallback-notice'),
  start: $('#start', HTMLButtonElement),
  stop: $('#stop', HTMLButtonElement),
  captureState: $('#capture-state'),
  preview: $('#preview', HTMLVideoElement),
  current: { videoinput: $('#video-track'), audioinput: $('#audio-track') } satisfies Record<InputKind, HTMLElement>,
  previous: { videoinput: $('#previous-video'), audioinput: $('#previous-audio') } satisfies Record<InputKind, HTMLElement>,
  sinkState: $('#sink-state'),
  sinkCurrent: $('#sink-current'),
  sinkSupport: $('#sink-support'),
  tone: $('#tone', HTMLButtonElement),
  toneState: $('#tone-state'),
  toneAudio: $('#tone-audio', HTMLAudioElement),
};

/** The preview lifecycle shown in the badge. */
type CaptureState = 'idle' | 'starting' | 'live' | 'switching' | 'stopped' | 'failed';

const KIND_NAME: Record<DeviceKind, string> = { audioinput: 'microphone', videoinput: 'camera', audiooutput: 'speaker' };
const TRACK_KIND: Record<InputKind, 'audio' | 'video'> = { audioinput: 'audio', videoinput: 'video' };

let stream: MediaStream | null = null;
let groups: DeviceGroups<MediaDeviceInfo> | null = null;
let reads = 0;

function setCapture(state: CaptureState): void {
  setState(el.captureState, state);
  el.stop.disabled = state !== 'live';
  el.start.disabled = state === 'starting' || state === 'switching';
  el.start.textContent = state === 'live' ? 'Restart' : 'Start camera and microphone';
}

function liveTrack(kind: InputKind): MediaStreamTrack | undefined {
  return stream?.getTracks().find((t) => t.kind === TRACK_KIND[kind] && t.readyState === 'live');
}

/** Shows a track as "label [readyState] deviceId"; `data-device-id`/`data-state` carry the values. */
function renderTrack(target: HTMLElement, track: MediaStreamTrack | null | undefined): void {
  if (!track) {
    target.replaceChildren('–');
    target.dataset.deviceId = '';
    delete target.dataset.state;
    return;
  }
  const id = track.getSettings().deviceId ?? '';
  target.dataset.deviceId = id;
  target.dataset.state = track.readyState;
  target.replaceChildren(track.label || '(no label)', ' ', h('span', { class: 'badge', 'data-state': track.readyState }, track.readyState), ' ', h('code', {}, id));
}

function renderTracks(): void {
  for (const kind of ['audioinput', 'videoinput'] as const) renderTrack(el.current[kind], stream?.getTracks().find((t) => t.kind === TRACK_KIND[kind]));
}

function renderSink(): void {
  const id = currentSink(el.preview);
  if (id === null) {
    setState(el.sinkState, 'unsupported', 'not selectable in this browser');
    return;
  }
  el.sinkCurrent.dataset.sinkId = id;
  el.sinkCurrent.textContent = id === '' ? "'' (system default)" : id;
  if (el.sinkState.dataset.state !== 'failed') setState(el.sinkState, id === '' ? 'default' : 'applied', id === '' ? 'default' : 'chosen output');
}

/** Re-reads the device list and fills the three selects. */
async function refresh(reason: string): Promise<void> {
  let g: DeviceGroups<MediaDeviceInfo>;
  try {
    g = await listDevices();
  } catch (err) {
    showError(el.problem, err, 'enumerateDevices');
    return;
  }
  groups = g;
  el.labelsNotice.hidden = !g.labelsHidden;
  const remembered = loadChoices();
  const gone: string[] = [];
  for (const kind of DEVICE_KINDS) {
    const select = el.selects[kind];
    const list = g[kind];
    const before = select.value;
    select.replaceChildren(
      ...(list.length === 0
        ? [h('option', { value: '' }, `no ${KIND_NAME[kind]} found`)]
        : list.map((d, i) => h('option', { value: d.deviceId }, deviceLabel(d, i)))),
    );
    const choice = resolveChoice(remembered[kind], list);
    if (choice.status === 'missing') gone.push(`the ${KIND_NAME[kind]} "${choice.remembered.label}"`);
    const inUse = kind === 'audiooutput' ? currentSink(el.preview) : liveTrack(kind)?.getSettings().deviceId;
    const candidates = [inUse, choice.status === 'remembered' ? choice.deviceId : undefined, before];
    const pick = candidates.find((c) => c && list.some((d) => d.deviceId === c));
    if (pick) select.value = pick;
    select.disabled = list.length === 0;
  }
  el.fallback.hidden = gone.length === 0;
  el.fallback.textContent = gone.length
    ? `You chose ${gone.join(' and ')} last time, but it is not connected now, so the default is used instead. Plug it back in (the list updates by itself) or choose another one.`
    : '';
  reads += 1;
  el.listInfo.dataset.reads = String(reads);
  el.listInfo.dataset.reason = reason;
  el.listInfo.textContent = `${new Date().toLocaleTimeString()} (${reason}): ${g.audioinput.length} microphone(s), ${g.videoinput.length} camera(s), ${g.audiooutput.length} speaker(s)`;
}

/** Applies the remembered output if it is in the list (ids are only real after permission). */
async function restoreSink(): Promise<void> {
  if (!groups || !sinkSupported()) return;
  const choice = resolveChoice(loadChoices().audiooutput, groups.audiooutput);
  if (choice.status !== 'remembered' || currentSink(el.preview) === choice.deviceId) return;
  await chooseOutput(choice.deviceId, false);
}

async function start(): Promise<void> {
  showProblem(el.problem, null);
  stopStream(stream);
  stream = null;
  setCapture('starting');
  const remembered = loadChoices();
  const ids: Partial<Record<InputKind, string>> = {};
  for (const kind of ['audioinput', 'videoinput'] as const) {
    const fromSelect = el.selects[kind].value;
    ids[kind] = fromSelect || remembered[kind]?.deviceId || '';
  }
  try {
    // Only ask for kinds that exist (a desktop without a camera can still test its microphone).
    // An empty list (some browsers before permission) says nothing: then ask for both.
    const known = groups !== null && groups.audioinput.length + groups.videoinput.length > 0;
    const has = (kind: InputKind) => !known || (groups?.[kind].length ?? 0) > 0;
    const opened = await openInputs(ids, { audioinput: has('audioinput'), videoinput: has('videoinput') });
    stream = opened.stream;
    if (opened.fellBack.length) {
      el.fallback.hidden = false;
      el.fallback.textContent = `The ${opened.fellBack.map((k) => KIND_NAME[k]).join(' and ')} chosen before is not available any more, so the default is used instead.`;
    }
  } catch (err) {
    setCapture('failed');
    showError(el.problem, err, 'getUserMedia');
    renderTracks();
    return;
  }
  el.preview.srcObject = stream;
  renderTracks();
  setCapture('live');
  await refresh('after permission was granted');
  await restoreSink();
}

async function chooseInput(kind: InputKind): Promise<void> {
  const select = el.selects[kind];
  const deviceId = select.value;
  if (!deviceId) return; // ids are hidden before permission
  saveChoice(kind, { deviceId, label: select.selectedOptions[0]?.textContent ?? '' });
  el.fallback.hidden = true;
  if (!stream || !liveTrack(kind)) return; // used on the next Start
  showProblem(el.problem, null);
  setCapture('switching');
  const oldTrack = liveTrack(kind);
  try {
    const swapped = await replaceInputTrack(stream, kind, deviceId);
    stream = swapped.stream;
    el.preview.srcObject = stream;
    renderTrack(el.previous[kind], swapped.oldTrack);
  } catch (err) {
    renderTrack(el.previous[kind], oldTrack);
    showError(el.problem, err, 'getUserMedia');
    stream = new MediaStream(stream.getTracks().filter((t) => t.readyState === 'live'));
    el.preview.srcObject = stream;
  }
  renderTracks();
  setCapture(stream.getTracks().length ? 'live' : 'stopped');
}

async function chooseOutput(deviceId: string, remember = true): Promise<void> {
  if (!sinkSupported()) {
    el.sinkSupport.hidden = false;
    return;
  }
  showProblem(el.problem, null);
  try {
    await applySink(el.preview, deviceId);
    el.selects.audiooutput.value = deviceId;
    setState(el.sinkState, 'applied');
    if (remember) saveChoice('audiooutput', { deviceId, label: el.selects.audiooutput.selectedOptions[0]?.textContent ?? '' });
  } catch (err) {
    setState(el.sinkState, 'failed');
    showError(el.problem, err, 'setSinkId');
  }
  renderSink();
}

async function tone(): Promise<void> {
  setState(el.toneState, 'playing');
  el.tone.disabled = true;
  try {
    await playTestTone(el.toneAudio, currentSink(el.preview) ?? '');
    setState(el.toneState, 'done', `played on ${currentSink(el.toneAudio) || 'the default output'}`);
  } catch (err) {
    setState(el.toneState, 'failed');
    showError(el.problem, err, 'setSinkId');
  }
  el.tone.disabled = false;
}

for (const kind of ['audioinput', 'videoinput'] as const) el.selects[kind].addEventListener('change', () => void chooseInput(kind));
el.selects.audiooutput.addEventListener('change', () => void chooseOutput(el.selects.audiooutput.value));
el.start.addEventListener('click', () => void start());
el.grant.addEventListener('click', () => void start());
el.stop.addEventListener('click', () => {
  stopStream(stream);
  renderTracks();
  stream = null;
  el.preview.srcObject = null;
  setCapture('stopped');
});
el.tone.addEventListener('click', () => void tone());

setCapture('idle');
el.sinkSupport.textContent = SINK_SUPPORT_TEXT;
el.sinkSupport.hidden = sinkSupported();
if (!sinkSupported()) el.tone.textContent = 'Play a test tone on the default output (440 Hz, 1 s)';
renderSink();

try {
  mediaDevices();
  for (const name of ['camera', 'microphone'] as const) {
    let first = true;
    void watchPermission(name, (state) => {
      setState(el.perm[name], state);
      if (name === 'camera') {
        el.grant.textContent = state === 'denied' ? 'Ask again (blocked: allow it from the address bar first, see above)' : 'Allow camera and microphone';
      }
      if (!first) void refresh(`${name} permission changed to ${state}`);
      first = false;
    });
  }
  onDeviceChange(() => void refresh('devicechange').then(restoreSink));
  void refresh('page load').then(restoreSink);
} catch (err) {
  // Insecure context (plain http off localhost) or no media API: nothing on this page can work.
  showError(el.problem, err, 'enumerateDevices');
  setCapture('failed');
  el.start.disabled = true;
  el.grant.disabled = true;
  for (const s of Object.values(el.selects)) s.disabled = true;
  for (const p of Object.values(el.perm)) setState(p, 'unsupported');
}
