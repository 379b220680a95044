/**
 * Call page: finds its elements and wires them to {@link CallSession}. No WebRTC logic lives here.
 */
import { getUserMedia, stopStream } from '../media/capture';
import { CallSession, type EndReason, type RoomState } from '../rtc/session';
import { perfectNegotiation } from '../rtc/perfect-negotiator';
import { stepByStep } from '../rtc/step-negotiator';
import type { Stepper } from '../rtc/stepper';
import { IceSettings } from '../ui/ice-settings';
import type { PeerStates } from '../rtc/peer';
import { SignalingClient, cappedReconnectDelay, signalingUrl, type ReconnectInfo } from '../signaling/client';
import { callParamsFromSearch } from '../rtc/call-params';
import type { PeerInfo } from '../signaling/protocol';
import { roomFromSearch, roomLink } from '../signaling/room-name';
import { recordPeer, recordSignaling, roomSide, Trace } from '../rtc/trace'; import { shareSteps } from '../rtc/step-progress';
import { mountInspector } from '../ui/inspector';
import { CallMedia } from '../rtc/controls';
import { CallControls } from '../ui/call-controls';
import { CodecBandwidth } from '../ui/codec-bandwidth';
import { StepsPanel } from '../ui/steps-panel';
import { initPage, trackCallMode } from '../ui/page';
import { bringStageIntoView } from '../ui/presenter';
import { bindNextStepKeys } from '../ui/shortcuts';
import { describeCallSituation } from '../ui/call-status';
import { drawQr } from '../ui/qr';
import { $, copyText, exposeDebug, h, setState, showError, showProblem } from '../ui/dom';

initPage();

const el = {
  problem: $('#problem'),
  form: $('#join-form', HTMLFormElement),
  room: $('#room', HTMLInputElement),
  name: $('#name', HTMLInputElement),
  join: $('#join', HTMLButtonElement),
  leave: $('#leave', HTMLButtonElement),
  roomState: $('#room-state'),
  roomHint: $('#room-hint'),
  roomLink: $('#room-link'),
  copyLink: $('#copy-link', HTMLButtonElement),
  peers: $('#peers', HTMLUListElement),
  localVideo: $('#local-video', HTMLVideoElement),
  remoteVideo: $('#remote-video', HTMLVideoElement),
  remoteCaption: $('#remote-caption'),
  callState: $('#call-state'),
  callSummary: $('#call-summary'),
  roomQr: $('#room-qr', HTMLCanvasElement),
  roomQrNote: $('#room-qr-note'),
  call: $('#call', HTMLButtonElement),
  hangup: $('#hangup', HTMLButtonElement),
  ice: {
    iceServers: $('#ice-servers', HTMLTextAreaElement),
    relayOnly: $('#relay-only', HTMLInputElement),
    turnStatus: $('#turn-status'),
  },
  modeStep: $('#mode-step', HTMLInputElement),
  modeAuto: $('#mode-auto', HTMLInputElement),
  steps: $('#steps'),
  nextStep: $('#next-step', HTMLButtonElement),
  restartIce: $('#restart-ice', HTMLButtonElement),
  controls: {
    muteAudio: $('#mute-audio', HTMLButtonElement),
    muteVideo: $('#mute-video', HTMLButtonElement),
    camera: $('#camera-select', HTMLSelectElement),
    microphone: $('#mic-select', HTMLSelectElement),
    shareScreen: $('#share-screen', HTMLButtonElement),
    remoteMedia: $('#remote-media'),
    chatLog: $('#chat-log', HTMLUListElement),
    chatForm: $('#chat-form', HTMLFormElement),
    chatInput: $('#chat-input', HTMLInputElement),
    chatSend: $('#chat-send', HTMLButtonElement),
    localVideo: $('#local-video', HTMLVideoElement),
  },
  tuning: {
    codec: $('#codec-select', HTMLSelectElement),
    codecNote: $('#codec-note'),
    mLine: $('#m-line'),
    maxBitrate: $('#max-bitrate', HTMLSelectElement),
    scale: $('#scale-down', HTMLSelectElement),
    maxFramerate: $('#max-framerate', HTMLSelectElement),
    limitsState: $('#limits-state'),
    sending: $('#sending'),
  },
  inspector: $('#inspector'),
  states: {
    signalingState: $('#signaling-state'),
    iceGatheringState: $('#ice-gathering-state'),
    iceConnectionState: $('#ice-connection-state'),
    connectionState: $('#connection-state'),
  } satisfies Record<keyof PeerStates, HTMLElement>,
};

const ROOM_TEXT: Record<RoomState, string> = {
  connecting: 'connecting…',
  joined: 'joined',
  reconnecting: 'reconnecting…',
  full: 'room full',
  left: 'left',
};
const END_TEXT: Record<EndReason, string> = {
  'local-hangup': 'You hung up.',
  'remote-hangup': 'The other side hung up.',
  'peer-left': 'The other side left the room.',
  'left-room': 'You left the room.',
  'signaling-closed': 'The signaling connection closed before the call was set up.',
  'signaling-lost': 'The signaling server was away too long and forgot this page: the call was ended. Call again.',
};

/**
 * "Reconnecting to the signaling server (attempt 3, next in 2.7 s)…", counting down to `info.at`.
 * `everJoined` false: the server has not been reached yet.
 */
function reconnectText(info: ReconnectInfo, everJoined: boolean): string {
  const left = Math.max(0, info.at - Date.now()) / 1000;
  const what = everJoined ? 'Reconnecting to the signaling server' : 'Cannot reach the signaling server; trying again';
  return left > 0.05 ? `${what} (attempt ${info.attempt}, next in ${left.toFixed(1)} s)…` : `${what} (attempt ${info.attempt}, now)…`;
}

const initial = roomFromSearch(location.search);
el.room.value = initial.room;
if (initial.source === 'invalid') {
  el.roomHint.textContent = 'The room in the link was not valid (letters, digits, "-", "_", "." only); a new one was made.';
}
/** Demo parameters (reconnect-max-ms, ice-timeout-ms, candidates=none), read once. */
const params = callParamsFromSearch(location.search);
if (params.invalid.length > 0) {
  el.roomHint.textContent = `Ignored in the link (out of range or unknown): ${params.invalid.join(', ')}.`;
}
const ice = new IceSettings(el.ice, location.search, location.hostname, (value) => {
  el.roomHint.textContent = `The link's policy "${value}" is not valid (only "relay" or "all"): using all candidates.`;
});
/** The room link, with `policy=relay` when "Relay only" is on. */
const link = (): string => {
  const url = new URL(roomLink(location.href, el.room.value));
  if (ice.relayOnly) url.searchParams.set('policy', 'relay');
  return url.toString();
};
const showLink = () => {
  const shared = link();
  el.roomLink.textContent = shared;
  drawQr(el.roomQr, shared);
};
if (['localhost', '127.0.0.1', '[::1]'].includes(location.hostname)) {
  el.roomQrNote.textContent = 'This page was opened as localhost, which a phone cannot reach: open it through the Network URL that npm start prints, and share that link.';
}
showLink();
el.room.addEventListener('input', showLink);
el.ice.relayOnly.addEventListener('change', showLink);
el.copyLink.addEventListener('click', async () => {
  el.copyLink.textContent = (await copyText(link())) ? 'Copied' : 'Copy failed: select the link';
});

let session: CallSession | null = null;
let inspector: { destroy(): void } | null = null;
let localStream: MediaStream | null = null;
let stepMode = false;
/** The step-mode call's stepper, if any. */
let stepper: Stepper | null = null;
let reconnectTicker: ReturnType<typeof setInterval> | undefined;
/** Why the last call ended (cleared when a new one starts), for the plain-words summary. */
let lastEnd: EndReason | null = null;
const stepsPanel = new StepsPanel(el.steps, el.nextStep, (err, context) => showError(el.problem, err, context, { near: el.nextStep }));
const controls = new CallControls(el.controls, (err, context) => showError(el.problem, err, context));
const tuning = new CodecBandwidth(el.tuning, (err) => showError(el.problem, err, 'RTCPeerConnection'));
if (new URLSearchParams(location.search).get('mode') === 'step') el.modeStep.checked = true;
trackCallMode($('#call-page'), el.modeStep, el.modeAuto);
bindNextStepKeys([el.nextStep]);

/** Hands a newly opened local stream to the preview and the in-call controls. */
function useLocalStream(stream: MediaStream | null): void {
  localStream = stream;
  el.localVideo.srcObject = stream;
  controls.setMedia(stream ? new CallMedia(stream, () => session?.peer?.pc ?? null) : null);

}

function renderPeers(peers: readonly PeerInfo[]): void {
  el.peers.replaceChildren(
    ...(peers.length === 0
      ? [h('li', { class: 'muted' }, 'Nobody else yet: open the room link in another tab or on another device.')]
      : peers.map((p) => h('li', { 'data-peer': p.id }, p.name ? `${p.name} ` : 'Anonymous ', h('code', {}, p.id)))),
  );
}

function renderStates(states: PeerStates | null): void {
  for (const key of Object.keys(el.states) as (keyof PeerStates)[]) {
    const value = states ? states[key] : 'none';
    setState(el.states[key], value, states ? value : '–');
  }
}

/** The room state the badge shows (the session is gone after leaving, a full room or no server). */
function roomStateShown(): RoomState | null {
  const shown = el.roomState.dataset.state ?? '';
  return (Object.keys(ROOM_TEXT) as RoomState[]).find((k) => k === shown) ?? null;
}

function renderButtons(): void {
  const joined = session?.roomState === 'joined';
  const inCall = session !== null && session.callState !== 'idle';
  el.join.disabled = session !== null && (session.roomState === 'joined' || session.roomState === 'connecting');
  el.leave.disabled = !joined && session?.roomState !== 'connecting' && session?.roomState !== 'reconnecting';
  el.room.disabled = !el.join.disabled ? false : true;
  el.call.disabled = !joined || inCall || (session?.peers.length ?? 0) === 0;
  el.hangup.disabled = !inCall;
  // Step mode: the restart is a series of steps, offered once the walkthrough is through.
  el.restartIce.disabled = session?.callState !== 'connected' || (stepMode && !(stepper?.finished ?? false));
  el.modeStep.disabled = el.modeAuto.disabled = session !== null && session.roomState !== 'left';
  el.callSummary.textContent = describeCallSituation({
    room: session?.roomState ?? roomStateShown(),
    roomName: el.room.value,
    call: session?.callState ?? 'idle',
    peers: session?.peers.length ?? 0,
    lastEnd,
    camera: localStream !== null,
  });
}

async function join(): Promise<void> {
  if (!el.form.reportValidity()) return;
  showProblem(el.problem, null);
  await ice.ready();
  try {
    ice.configuration(); // refuse a bad list (or relay only without TURN) before opening the camera
  } catch (err) {
    showError(el.problem, err, 'RTCPeerConnection', { near: el.ice.iceServers });
    return;
  }
  history.replaceState(null, '', link());
  // Rejoining: the old session closes its call, its room membership and its reconnects.
  session?.close();
  session = null;
  stepper = null;
  clearInterval(reconnectTicker);
  stopStream(localStream);
  setState(el.roomState, 'connecting', 'opening camera…');
  el.join.disabled = true;
  stepMode = el.modeStep.checked;
  useLocalStream(null);
  if (!stepMode) try {
    useLocalStream(await getUserMedia({ audio: true, video: true }));
  } catch (err) {
    useLocalStream(null);
    const problem = showError(el.problem, err, 'getUserMedia', { near: el.join });
    el.roomHint.textContent = `Joining without camera/microphone (${problem.name}): you can still see and hear the other side.`;
  }
  let client: SignalingClient;
  try {
    const url = signalingUrl();
    client = new SignalingClient(() => new WebSocket(url), params.reconnectMaxMs === null ? {} : { delay: cappedReconnectDelay(params.reconnectMaxMs) });
  } catch (err) {
    showError(el.problem, err, 'signaling', { near: el.join });
    return;
  }
  const configuration = () => ice.configuration();
  // Inspector: one trace per session (diagram, states, candidates, stats, export/import).
  const trace = new Trace();
  exposeDebug('trace', trace);
  const s = new CallSession({
    client,
    room: el.room.value,
    name: el.name.value.trim() || undefined,
    localStream: () => localStream,
    configuration,
    iceTimeoutMs: params.iceTimeoutMs ?? undefined,
    sendCandidates: params.sendCandidates,
    negotiator: stepMode
      ? stepByStep({
        configuration,
        getUserMedia: async (constraints) => {
          stopStream(localStream);
          useLocalStream(null);
          const stream = await getUserMedia(constraints);
          useLocalStream(stream);
          return stream;
        },
        onStepper: (made) => {
          stepper = made;
          stepsPanel.attach(made);
          exposeDebug('stepper', made);
          made.on('change', renderButtons);
          shareSteps(made, s, trace);
        },
      })
      : perfectNegotiation,
  });
  session = s;
  stepsPanel.attach(null);
  stepsPanel.showPeer(null);
  s.on('progress', (progress) => stepsPanel.showPeer(progress));
  s.on('datachannel', (channel) => controls.setChannel(channel));
  exposeDebug('call', s);
  const side = roomSide(client, () => s.role);
  recordSignaling(trace, client, side);
  s.on('control', (direction, message, path) => {
    if (path !== 'data-channel') return; // the server path is recorded from the client itself
    const remote = s.remote?.id ?? 'unknown-peer';
    if (direction === 'sent') trace.record({ kind: 'signal', direction, side: side(), message: { ...message, to: remote }, path });
    else trace.record({ kind: 'signal', direction, side: side(), message: { ...message, from: remote }, path });
  });
  inspector?.destroy();
  inspector = mountInspector(el.inspector, trace, () => (s.peer ? [{ side: s.role ?? 'caller', pc: s.peer.pc }] : []));
  s.on('peer', (peer) => {
    tuning.attach(peer.pc);
    recordPeer(trace, peer, s.role ?? 'caller');
  });
  setState(el.roomState, 'connecting', ROOM_TEXT.connecting);
  let everJoined = false;
  s.on('reconnecting', (info) => {
    const show = () => setState(el.roomState, 'reconnecting', reconnectText(info, everJoined));
    show();
    clearInterval(reconnectTicker);
    reconnectTicker = setInterval(() => {
      if (session === s && s.roomState === 'reconnecting') show();
      else clearInterval(reconnectTicker);
    }, 100);
  });
  s.on('room', (state) => {
    if (state !== 'reconnecting') clearInterval(reconnectTicker);
    if (state === 'joined') {
      if (everJoined) {
        el.roomHint.textContent = 'Reconnected to the signaling server.';
        showProblem(el.problem, null);
      }
      if (!everJoined) bringStageIntoView($('#videos'));
      everJoined = true;
      if (stepMode && !s.activeCall) stepsPanel.preview('callee');
    }
    if (state !== 'reconnecting') setState(el.roomState, state, ROOM_TEXT[state]);
    if (state === 'left' || state === 'full') {
      stopStream(localStream);
      useLocalStream(null);
      session = null;
    }
    renderButtons();
  });
  s.on('peers', (peers) => {
    renderPeers(peers);
    renderButtons();
  });
  s.on('call', (state) => {
    if (state === 'connecting') lastEnd = null;
    setState(el.callState, state);
    if (state === 'connected') showProblem(el.problem, null);
    renderButtons();
  });
  s.on('peer', (peer, remote) => {
    el.remoteCaption.textContent = `Remote peer: ${remote.name ?? 'Anonymous'} (${remote.id})`;
    renderStates(peer.states);
    peer.on('statechange', (_which, states) => renderStates(states));
  });
  s.on('remotestream', (stream) => {
    if (el.remoteVideo.srcObject !== stream) el.remoteVideo.srcObject = stream;
  });
  s.on('ended', (reason) => {
    lastEnd = reason;
    controls.setChannel(null);
    tuning.attach(null);
    el.remoteVideo.srcObject = null;
    el.remoteCaption.textContent = `Remote peer: ${END_TEXT[reason]}`;
    el.callState.title = END_TEXT[reason];
    el.roomHint.textContent = END_TEXT[reason];
    stepsPanel.showPeer(null);
    if (stepMode && s.roomState === 'joined') stepsPanel.preview('callee');
    renderButtons();
  });
  s.on('problem', (err, context) => showError(el.problem, err, context));
  /** A recovery the call made by itself: in the room hint and as a note in the sequence diagram. */
  const recovered = (text: string) => trace.record({ kind: 'note', side: side(), text: (el.roomHint.textContent = text) });
  s.on('icerestart', (afterMs) => recovered(`No connection after ${(afterMs / 1000).toFixed(1)} s: the ICE watchdog restarted ICE (a new offer with new ICE credentials)…`));
  s.on('mediastall', (afterMs, restarted) => restarted && recovered(`No audio or video arrived for ${(afterMs / 1000).toFixed(1)} s after the ICE restart, although the connection says "connected": this side restarted ICE once more, which brings it back. (Seen between Chromium and Firefox: after Chromium restarts ICE it can keep sending to Firefox's old ICE candidates, where Firefox no longer listens.)`)); // not restarted: explained as a problem
  s.on('awaiting', (peer, at) => {
    el.roomHint.textContent = `${peer.name ?? 'The other side'} (${peer.id}) has not reconnected to the restarted signaling server yet; waiting until ${new Date(at).toLocaleTimeString()} before counting it as gone.`;
  });
  if (!params.sendCandidates) {
    el.roomHint.textContent = 'candidates=none: this page sends no ICE candidates, so with the same setting on the other side the call cannot connect (watch the watchdog and the explanation).';
  }
  renderButtons();
}

el.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void join();
});
el.leave.addEventListener('click', () => {
  session?.leave();
  el.roomHint.textContent = 'You left the room.';
});
el.call.addEventListener('click', () => {
  try {
    session?.call();
  } catch (err) {
    showError(el.problem, err, 'RTCPeerConnection');
  }
});
el.hangup.addEventListener('click', () => session?.hangUp());
el.restartIce.addEventListener('click', () => session?.restartIce());
renderStates(null);
renderButtons();
