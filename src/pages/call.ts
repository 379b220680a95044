/**
 * Call page: finds its elements and wires them to {@link CallSession}. No WebRTC logic lives here.
 */
import { getUserMedia, stopStream } from '../media/capture';
import type { CallSession, EndReason, RoomState } from '../rtc/session';
import { IceSettings } from '../ui/ice-settings';
import type { PeerStates } from '../rtc/peer';
import type { Stepper } from '../rtc/stepper';
import { callParamsFromSearch } from '../rtc/call-params';
import type { SignalingClient } from '../signaling/client';
import type { PeerInfo } from '../signaling/protocol';
import { roomFromSearch, roomLink } from '../signaling/room-name';
import type { Trace } from '../rtc/trace';
import type { CallControls } from '../ui/call-controls';
import type { CallCoreModule } from '../ui/call-core';
import type { StepsPanel } from '../ui/steps-panel';
import type { CodecBandwidth } from '../ui/codec-bandwidth';
import { loadCallCore, loadInspector, loadQr, loadStepMode } from '../ui/lazy';
import { prefetchWhenIdle, whenIdle } from '../ui/idle';
import { holdDisplayDuringSetup } from '../ui/setup-hold';
import { initPage, trackCallMode } from '../ui/page';
import { bringStageIntoView } from '../ui/presenter';
import { bindNextStepKeys } from '../ui/shortcuts';
import { describeCallSituation, END_TEXT, reconnectText, ROOM_TEXT, STALE_TEXT } from '../ui/call-status';
import { $, copyText, exposeDebug, h, setState, showError, showProblem, showState, showText } from '../ui/dom';
import { callPageElements } from '../ui/call-page-elements';

initPage();

const el = callPageElements();

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
  // The QR painter is a chunk of its own: the link text is there at once, its QR code a moment later.
  loadQr().then(({ drawQr }) => {
    if (el.roomLink.textContent === shared) drawQr(el.roomQr, shared);
  }, (err: unknown) => {
    el.roomQrNote.textContent = `The QR code could not be loaded (${err instanceof Error ? err.message : String(err)}); the link above works the same.`;
  });
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
/** The trace the inspector shows (the last joined session's). */
let inspected: Trace | null = null;
let localStream: MediaStream | null = null;
let stepMode = false;
/** The step-mode call's stepper, if any. */
let stepper: Stepper | null = null;
let reconnectTicker: ReturnType<typeof setInterval> | undefined;
/** Why the last call ended (cleared when a new one starts), for the plain-words summary. */
let lastEnd: EndReason | null = null;
/** The step list, made when step mode is first chosen (step mode is a chunk of its own). */
let stepsPanel: StepsPanel | null = null;
async function loadSteps(): Promise<StepsPanel> {
  const { StepsPanel } = await loadStepMode();
  stepsPanel ??= new StepsPanel(el.steps, el.nextStep, (err, context) => showError(el.problem, err, context, { near: el.nextStep }));
  return stepsPanel;
}
/** The in-call controls and the codec/bandwidth card, made when the call machinery has loaded (in idle time, or by Join). */
let controls: CallControls | null = null;
let tuning: CodecBandwidth | null = null;
function withCore(core: CallCoreModule): CallCoreModule {
  controls ??= new core.CallControls(el.controls, (err, context) => showError(el.problem, err, context));
  tuning ??= new core.CodecBandwidth(el.tuning, (err) => showError(el.problem, err, 'RTCPeerConnection'));
  loadedCore = core;
  return core;
}
if (new URLSearchParams(location.search).get('mode') === 'step') el.modeStep.checked = true;
trackCallMode($('#call-page'), el.modeStep, el.modeAuto);
const showSteps = () => {
  if (el.modeStep.checked) loadSteps().catch((err: unknown) => showError(el.problem, err, 'signaling', { near: el.modeStep }));
};
el.modeStep.addEventListener('change', showSteps);
showSteps();
// The call machinery and the inspector download in idle time after the first paint, ready before
// anyone joins (Join waits for them only if they are not there yet).
prefetchWhenIdle(() => loadCallCore().then(withCore), 2000);
prefetchWhenIdle(loadInspector, 2000);
bindNextStepKeys([el.nextStep]);

/** The call machinery once loaded (Join awaits it). */
let loadedCore: CallCoreModule | null = null;

/** Hands a newly opened local stream to the preview and the in-call controls. */
function useLocalStream(stream: MediaStream | null): void {
  localStream = stream;
  el.localVideo.srcObject = stream;
  const core = loadedCore;
  controls?.setMedia(stream && core ? new core.CallMedia(stream, () => session?.peer?.pc ?? null) : null);

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
    showState(el.states[key], value, states ? value : '–');
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
  const summary = describeCallSituation({
    room: session?.roomState ?? roomStateShown(),
    roomName: el.room.value,
    call: session?.callState ?? 'idle',
    peers: session?.peers.length ?? 0,
    lastEnd,
    camera: localStream !== null,
  });
  showText(el.callSummary, summary);
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
  let core: CallCoreModule;
  try {
    core = withCore(await loadCallCore());
  } catch (err) {
    showError(el.problem, err, 'signaling', { near: el.join });
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
  let stepModule: Awaited<ReturnType<typeof loadStepMode>> | null = null;
  if (stepMode) {
    try {
      stepModule = await loadStepMode();
      await loadSteps();
    } catch (err) {
      showError(el.problem, err, 'signaling', { near: el.join });
      setState(el.roomState, 'left', ROOM_TEXT.left);
      el.join.disabled = false;
      return;
    }
  }
  // Auto mode: this side's next RTCPeerConnection is made now, while the camera opens and the
  // signaler answers, and taken by the call (see SpareConnection); step mode makes it as a step.
  const spare = stepMode ? null : new core.SpareConnection();
  spare?.prepare(ice.configuration());
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
    const url = core.signalingUrl();
    client = new core.SignalingClient(() => new WebSocket(url), params.reconnectMaxMs === null ? {} : { delay: core.cappedReconnectDelay(params.reconnectMaxMs) });
  } catch (err) {
    spare?.dispose();
    showError(el.problem, err, 'signaling', { near: el.join });
    return;
  }
  const configuration = () => ice.configuration();
  // Inspector: one trace per session (diagram, states, candidates, stats, export/import).
  const trace = new core.Trace();
  exposeDebug('trace', trace);
  const s = new core.CallSession({
    client,
    room: el.room.value,
    name: el.name.value.trim() || undefined,
    localStream: () => localStream,
    configuration,
    iceTimeoutMs: params.iceTimeoutMs ?? undefined,
    sendCandidates: params.sendCandidates,
    redial: !stepModule,
    peerConnectionFactory: spare?.factory,
    negotiator: stepModule
      ? stepModule.stepByStep({
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
          stepsPanel?.attach(made);
          exposeDebug('stepper', made);
          made.on('change', renderButtons);
          stepModule?.shareSteps(made, s, trace);
        },
      })
      : core.perfectNegotiation,
  });
  session = s;
  // Display work waits while a call is about to start or sets up (auto mode; see holdDisplay).
  if (!stepMode) holdDisplayDuringSetup(s, el.remoteVideo);
  if (spare) core.keepSpare(s, spare, configuration, () => localStream);
  stepsPanel?.attach(null);
  stepsPanel?.showPeer(null);
  s.on('progress', (progress) => stepsPanel?.showPeer(progress));
  s.on('datachannel', (channel) => controls?.setChannel(channel));
  exposeDebug('call', s);
  const side = core.roomSide(client, () => s.role);
  core.recordSignaling(trace, client, side);
  s.on('control', (direction, message, path) => {
    if (path !== 'data-channel') return; // the server path is recorded from the client itself
    const remote = s.remote?.id ?? 'unknown-peer';
    if (direction === 'sent') trace.record({ kind: 'signal', direction, side: side(), message: { ...message, to: remote }, path });
    else trace.record({ kind: 'signal', direction, side: side(), message: { ...message, from: remote }, path });
  });
  s.on('stale', (type, callId, path) => {
    const text = `ignored ${type === 'answer' ? 'an answer' : type === 'offer' ? 'an offer' : 'a bye'} for an earlier call (call id ${callId}${path === 'data-channel' ? ', data channel' : ''}): ${STALE_TEXT[type]}`;
    console.debug(text);
    trace.record({ kind: 'note', side: side(), text });
  });
  inspector?.destroy();
  inspector = null;
  inspected = trace;
  // Mounted in idle time: when this side is the caller the call starts right after joining, and
  // the inspector draws what the trace recorded meanwhile (it records from the start either way).
  whenIdle(() => {
    loadInspector().then(({ mountInspector }) => {
      if (inspected !== trace) return;
      inspector?.destroy();
      inspector = mountInspector(el.inspector, trace, () => (s.peer ? [{ side: s.role ?? 'caller', pc: s.peer.pc }] : []));
    }, (err: unknown) => showError(el.problem, err)); // the inspector could not be downloaded: said on the page
  }, 1000);
  s.on('peer', (peer) => {
    tuning?.attach(peer.pc);
    core.recordPeer(trace, peer, s.role ?? 'caller');
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
      if (stepMode && !s.activeCall) stepsPanel?.preview('callee');
    }
    if (state !== 'reconnecting') showState(el.roomState, state, ROOM_TEXT[state]);
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
    showState(el.callState, state);
    if (state === 'connected') showProblem(el.problem, null);
    renderButtons();
  });
  s.on('peer', (peer, remote) => {
    showText(el.remoteCaption, `Remote peer: ${remote.name ?? 'Anonymous'} (${remote.id})`);
    renderStates(peer.states);
    peer.on('statechange', (_which, states) => renderStates(states));
  });
  s.on('remotestream', (stream) => {
    if (el.remoteVideo.srcObject !== stream) el.remoteVideo.srcObject = stream;
  });
  s.on('ended', (reason) => {
    lastEnd = reason;
    controls?.setChannel(null);
    tuning?.attach(null);
    el.remoteVideo.srcObject = null;
    showText(el.remoteCaption, `Remote peer: ${END_TEXT[reason]}`);
    el.callState.title = END_TEXT[reason];
    el.roomHint.textContent = END_TEXT[reason];
    if (reason === 'new-call' || reason === 'no-connection') trace.record({ kind: 'note', side: side(), text: END_TEXT[reason] });
    stepsPanel?.showPeer(null);
    if (stepMode && s.roomState === 'joined') stepsPanel?.preview('callee');
    renderButtons();
  });
  s.on('problem', (err, context) => showError(el.problem, err, context));
  /** A recovery the call made by itself: in the room hint and as a note in the sequence diagram. */
  const recovered = (text: string) => trace.record({ kind: 'note', side: side(), text: (el.roomHint.textContent = text) });
  s.on('icerestart', (afterMs) => recovered(`No connection after ${(afterMs / 1000).toFixed(1)} s: the ICE watchdog restarted ICE (a new offer with new ICE credentials)…`));
  s.on('mediastall', (afterMs, restarted) => restarted && recovered(`No audio or video arrived for ${(afterMs / 1000).toFixed(1)} s after the ICE restart, although the connection says "connected": this side restarted ICE once more, which brings it back. (Seen between Chromium and Firefox: after Chromium restarts ICE it can keep sending to Firefox's old ICE candidates, where Firefox no longer listens.)`)); // not restarted: explained as a problem
  s.on('returned', (peer) => {
    el.roomHint.textContent = `${peer.name ?? 'The other side'} (${peer.id}) is back on the signaling server; the call goes on.`;
  });
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
