/**
 * Loopback page: both peers of a call in one page (in-page signaling, no server), in auto or step
 * mode, with the inspector showing both sides. Finds its elements and calls modules only.
 */
import { getUserMedia } from '../media/capture';
import type { Loopback } from '../rtc/loopback';
import type { PeerStates } from '../rtc/peer';
import type { PeerRole } from '../rtc/steps';
import type { CallSession } from '../rtc/session';
import { initPage, trackCallMode } from '../ui/page';
import { bringStageIntoView } from '../ui/presenter';
import { bindNextStepKeys } from '../ui/shortcuts';
import { $, exposeDebug, setState, showError, showProblem, showState } from '../ui/dom';
import type { StepsPanel } from '../ui/steps-panel';
import { loadCallCore, loadInspector, loadStepMode } from '../ui/lazy';
import type { CallCoreModule } from '../ui/call-core';
import type { StepModeModule } from '../ui/step-mode';
import { holdDisplay, nextVideoFrame, prefetchWhenIdle, whenIdle } from '../ui/idle';

initPage();

const problem = $('#problem');
const el = {
  modeStep: $('#mode-step', HTMLInputElement),
  modeAuto: $('#mode-auto', HTMLInputElement),
  start: $('#start', HTMLButtonElement),
  stop: $('#stop', HTMLButtonElement),
  setupTime: $('#setup-time'),
  inspector: $('#inspector'),
};
const ROLES: readonly PeerRole[] = ['caller', 'callee'];

function sideElements(role: PeerRole) {
  const root = $(`#${role}`);
  return {
    localVideo: $('.local-video', HTMLVideoElement, root),
    remoteVideo: $('.remote-video', HTMLVideoElement, root),
    callState: $('.call-state', HTMLElement, root),
    states: {
      signalingState: $('.signaling-state', HTMLElement, root),
      iceGatheringState: $('.ice-gathering-state', HTMLElement, root),
      iceConnectionState: $('.ice-connection-state', HTMLElement, root),
      connectionState: $('.connection-state', HTMLElement, root),
    } satisfies Record<keyof PeerStates, HTMLElement>,
    /** The side's step list, made when step mode is first chosen (step mode is a chunk of its own). */
    panel: null as StepsPanel | null,
  };
}
const sides = { caller: sideElements('caller'), callee: sideElements('callee') };
trackCallMode($('#loopback-page'), el.modeStep, el.modeAuto);

/** Loads step mode and makes both sides' step lists (once). */
async function loadSteps(): Promise<StepModeModule> {
  const stepModule = await loadStepMode();
  for (const role of ROLES) {
    const button = $(`#next-step-${role}`, HTMLButtonElement);
    sides[role].panel ??= new stepModule.StepsPanel($(`#${role} .steps`, HTMLElement), button, (err, context) => showError(problem, err, context, { near: button }));
  }
  return stepModule;
}
const showSteps = () => {
  if (el.modeStep.checked) loadSteps().catch((err: unknown) => showError(problem, err, 'signaling', { near: el.modeStep }));
};
el.modeStep.addEventListener('change', showSteps);
showSteps();
// The call machinery and the inspector download in idle time after the first paint (Start waits
// for them only if they are not there yet).
prefetchWhenIdle(loadCallCore, 2000);
prefetchWhenIdle(loadInspector, 2000);
bindNextStepKeys([$('#next-step-caller', HTMLButtonElement), $('#next-step-callee', HTMLButtonElement)]);

function renderStates(role: PeerRole, states: PeerStates | null): void {
  const box = sides[role].states;
  for (const key of Object.keys(box) as (keyof PeerStates)[]) showState(box[key], states ? states[key] : 'none', states ? states[key] : '–');
}

let loop: Loopback | null = null;
let inspector: { destroy(): void } | null = null;

function renderButtons(): void {
  el.start.disabled = loop !== null;
  el.stop.disabled = loop === null;
  el.modeStep.disabled = el.modeAuto.disabled = loop !== null;
}

/** Ends the display hold of the call being set up (see holdDisplay); a no-op once ended. */
let releaseDisplay: () => void = () => undefined;

async function start(): Promise<void> {
  showProblem(problem, null);
  const mode = el.modeStep.checked ? 'step' : 'auto';
  el.start.disabled = true;
  // The call machinery, and step mode's part when asked for, download side by side.
  let core: CallCoreModule;
  let stepModule: StepModeModule | null;
  try {
    [core, stepModule] = await Promise.all([loadCallCore(), mode === 'step' ? loadSteps() : null]);
  } catch (err) {
    showError(problem, err, 'signaling', { near: el.start });
    renderButtons();
    return;
  }
  const trace = new core.Trace();
  exposeDebug('trace', trace);
  inspector?.destroy();
  inspector = null;
  setState(el.setupTime, mode === 'step' ? 'step-mode' : 'measuring', mode === 'step' ? 'not measured in step mode (your clicks are in it)' : 'measuring…');
  const sessions: Partial<Record<PeerRole, CallSession>> = {};
  // Display work waits while the call sets up (auto mode only), see holdDisplay; Stop ends it too.
  releaseDisplay();
  releaseDisplay = mode === 'auto' ? holdDisplay() : () => undefined;
  if (mode === 'step') for (const role of ROLES) sides[role].panel?.preview(role);
  try {
    loop = await core.startLoopback({
      mode,
      configuration: () => ({ iceServers: [], bundlePolicy: 'max-bundle' }),
      getUserMedia: async (role) => {
        const stream = await getUserMedia({ audio: true, video: true });
        sides[role].localVideo.srcObject = stream;
        return stream;
      },
      onMediaError: (_role, err) => showError(problem, err, 'getUserMedia', { near: el.start }),
      onSession: (role, session, client) => {
        const side = sides[role];
        sessions[role] = session;
        session.on('progress', (progress) => side.panel?.showPeer(progress));
        core.recordSignaling(trace, client, () => role);
        session.on('peer', (peer) => {
          core.recordPeer(trace, peer, role);
          renderStates(role, peer.states);
          peer.on('statechange', (_which, states) => renderStates(role, states));
        });
        session.on('call', (state) => showState(side.callState, state));
        session.on('remotestream', (stream) => {
          if (side.remoteVideo.srcObject !== stream) side.remoteVideo.srcObject = stream;
        });
        session.on('ended', () => {
          side.remoteVideo.srcObject = null;
        });
        session.on('problem', (err, context) => showError(problem, err, context));
      },
      onStepper: (role, stepper) => {
        sides[role].panel?.attach(stepper);
        const session = sessions[role];
        if (session) stepModule?.shareSteps(stepper, session, trace);
      },
    });
  } catch (err) {
    releaseDisplay();
    showError(problem, err, 'signaling', { near: el.start });
    loop = null;
    renderButtons();
    return;
  }
  const current = loop;
  bringStageIntoView($('#sides'));
  exposeDebug('loopback', current);
  // Mounted in idle time, after the setup's busiest moments; it draws what the trace recorded meanwhile.
  whenIdle(() => {
    loadInspector().then(({ mountInspector }) => {
      if (loop !== current) return;
      inspector?.destroy();
      inspector = mountInspector(el.inspector, trace, () =>
        ROLES.flatMap((side) => {
          const pc = current.sessions[side].peer?.pc;
          return pc ? [{ side, pc }] : [];
        }),
      );
    }, (err: unknown) => showError(problem, err)); // the inspector could not be downloaded: said on the page
  }, 1000);
  renderButtons();
  void current.setupMs?.then((ms) => {
    // The display work waits for both remote videos' first frames (the end of the setup).
    const release = releaseDisplay;
    void Promise.all(ROLES.map((role) => nextVideoFrame(sides[role].remoteVideo, 500))).then(release);
    if (loop === current) setState(el.setupTime, 'measured', `${Math.round(ms)} ms`);
  });
}

function stop(): void {
  releaseDisplay();
  loop?.stop();
  loop = null;
  for (const role of ROLES) {
    const side = sides[role];
    side.localVideo.srcObject = null;
    side.remoteVideo.srcObject = null;
    side.panel?.attach(null);
    side.panel?.showPeer(null);
    renderStates(role, null);
    setState(side.callState, 'idle');
  }
  renderButtons();
}

el.start.addEventListener('click', () => void start());
el.stop.addEventListener('click', stop);
for (const role of ROLES) renderStates(role, null);
renderButtons();
