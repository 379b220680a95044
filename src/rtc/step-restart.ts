/**
 * The ICE restart of a connected step-mode call ({@link RESTART_STEPS}): on the side that restarts,
 * one click per API call (createOffer with `iceRestart`, setLocalDescription, send, then
 * setRemoteDescription of the answer); on the other side, the answer made by itself with the
 * walkthrough's own step functions. Every call runs a function of `./step-actions`, whose source
 * is what the page shows for the step, so the code on screen is the code that ran.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/restartIce
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createOffer#icerestart
 */
import { Emitter } from '../util/emitter';
import * as actions from './step-actions';
import type { StepScope } from './step-actions';
import { RESTART_STEPS, type RestartStep, type RestartStepId } from './steps';
import type { StepResult } from './stepper';

/** The function each ICE-restart step runs (the code the page shows for it). */
export const RESTART_ACTIONS: Record<RestartStepId, (scope: StepScope) => unknown> = {
  'restart-create-offer': actions.createRestartOffer,
  'restart-set-local-offer': actions.setLocalDescription,
  'restart-send-offer': actions.sendDescription,
  'restart-set-remote-answer': actions.setRemoteDescription,
};

/** Events of an {@link IceRestartSteps}. */
export type IceRestartEvents = {
  /** A step ran. */
  step: [step: RestartStep, result: StepResult];
  /** The next step or what it waits for changed. */
  change: [];
};

/** The next ICE-restart step and whether it waits for the answer. */
export interface NextRestartStep {
  step: RestartStep | null;
  waiting: boolean;
}

/** The restart steps of the side that restarts ICE; see the module comment. */
export class IceRestartSteps extends Emitter<IceRestartEvents> {
  readonly #scope: () => StepScope;
  readonly #done = new Set<RestartStepId>();
  #offer: RTCSessionDescriptionInit | null = null;
  #answer: { type: 'answer'; sdp: string } | null = null;
  #busy = false;

  /** @param scope the stepper's scope (connection, signaling, …) at the time a step runs. */
  constructor(scope: () => StepScope) {
    super();
    this.#scope = scope;
  }

  /** The steps done so far. */
  get done(): ReadonlySet<RestartStepId> { return this.#done; }
  /** True while a step runs. */
  get busy(): boolean { return this.#busy; }
  /** The next step (null when all are done) and whether it waits for the answer. */
  get next(): NextRestartStep {
    const step = RESTART_STEPS.find((s) => !this.#done.has(s.id)) ?? null;
    return { step, waiting: step?.id === 'restart-set-remote-answer' && this.#answer === null };
  }

  /** The answer to the restart offer arrived (only the first one after the offer was sent counts). */
  receiveAnswer(sdp: string): boolean {
    if (!this.#done.has('restart-send-offer') || this.#answer) return false;
    this.#answer = { type: 'answer', sdp };
    this.emit('change');
    return true;
  }

  /**
   * Runs the next step.
   * @throws DOMException `InvalidStateError` when a step runs, all are done or the answer has not
   *   arrived; otherwise what the step's API call throws (the step stays to do).
   */
  async step(): Promise<{ step: RestartStep; result: StepResult }> {
    const { step, waiting } = this.next;
    if (this.#busy) throw new DOMException('a step is still running', 'InvalidStateError');
    if (!step) throw new DOMException('the ICE restart is done', 'InvalidStateError');
    if (waiting) throw new DOMException('waiting for the answer', 'InvalidStateError');
    this.#busy = true;
    try {
      const scope: StepScope = { ...this.#scope(), description: this.#offer, remote: this.#answer };
      const out = await RESTART_ACTIONS[step.id](scope);
      if (step.id === 'restart-create-offer') this.#offer = out as RTCSessionDescriptionInit;
      const pc = scope.pc;
      const result: StepResult = step.id === 'restart-create-offer'
        ? { summary: `offer with new ICE credentials (ice-ufrag ${ufrag(this.#offer?.sdp)})`, detail: this.#offer?.sdp ?? '' }
        : { summary: `signalingState: ${pc.signalingState}, iceGatheringState: ${pc.iceGatheringState}, iceConnectionState: ${pc.iceConnectionState}` };
      this.#done.add(step.id);
      this.emit('step', step, result);
      return { step, result };
    } finally {
      this.#busy = false;
      this.emit('change');
    }
  }
}

/**
 * Answers a restart offer from the other side with the walkthrough's own step functions
 * (setRemoteDescription, createAnswer, setLocalDescription, send).
 * @returns a one-line summary for the page.
 * @throws what those API calls throw.
 */
export async function answerRestart(base: StepScope, sdp: string): Promise<string> {
  const remote = { type: 'offer' as const, sdp };
  await actions.setRemoteDescription({ ...base, remote });
  const answer = await actions.createAnswer(base);
  await actions.setLocalDescription({ ...base, description: answer });
  actions.sendDescription(base);
  return `The other side restarted ICE (new ice-ufrag ${ufrag(sdp)}): this side answered (setRemoteDescription → createAnswer → setLocalDescription → send).`;
}

function ufrag(sdp: string | undefined): string {
  return /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1] ?? '?';
}
