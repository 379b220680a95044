/**
 * The step-mode panel of one side: the 23 steps of the walkthrough as a list (done, next, waiting,
 * the other side's), the next step's name, explanation and API call, and each step's result once
 * it ran. A "Next step" button runs the next step of the attached {@link Stepper}.
 *
 * Root gets `data-state`: `idle` (no stepper yet), `ready`, `waiting`, `running`, `done`.
 * Each `li[data-step]` gets `data-state`: `done`, `next`, `waiting`, `todo` or `other`.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Connectivity
 */
import type { ErrorContext } from '../errors/playground-error';
import type { Stepper, StepResult } from '../rtc/stepper';
import { STEPS, getStep, isOwnStep, nextStep, type PeerRole, type Step, type StepId } from '../rtc/steps';
import { h, setState } from './dom';
import { stepCode } from './step-code';

/** Step list plus "Next step" button for one side. */
export class StepsPanel {
  readonly #root: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #items = new Map<StepId, HTMLLIElement>();
  readonly #status: HTMLElement;
  readonly #current: HTMLElement;
  readonly #onError: (err: unknown, context: ErrorContext) => void;
  #stepper: Stepper | null = null;
  /** The step that ran last and its result, shown above the next step. */
  #last: { step: Step; result: StepResult } | null = null;
  #offs: (() => void)[] = [];

  /**
   * @param root an empty element to render into.
   * @param button the "Next step" button of this side.
   * @param onError shows a failed step: `showError(problemBox, err, context)`; `context` is
   *   `getUserMedia` for the getUserMedia steps, else `RTCPeerConnection`.
   */
  constructor(root: HTMLElement, button: HTMLButtonElement, onError: (err: unknown, context: ErrorContext) => void) {
    this.#root = root;
    this.#button = button;
    this.#onError = onError;
    this.#status = h('p', { class: 'step-status' });
    this.#current = h('div', { class: 'step-current' });
    const list = h('ol', { class: 'steps' });
    for (const step of STEPS) {
      const li = h('li', { 'data-step': step.id, 'data-role': step.role, 'data-state': 'todo' },
        h('span', { class: 'step-role' }, step.role), ' ', h('strong', {}, step.name),
        h('details', {}, h('summary', {}, 'what and how', h('span', { class: 'visually-hidden' }, `: step ${step.n}, ${step.name}`)),
          h('p', {}, step.explanation), h('pre', {}, h('code', {}, stepCode(step.id)))));
      this.#items.set(step.id, li);
      list.append(li);
    }
    root.replaceChildren(this.#status, this.#current, list);
    button.addEventListener('click', () => void this.#next());
    this.attach(null);
  }

  /** Shows `stepper`'s progress (null: none yet, the button is disabled). */
  attach(stepper: Stepper | null): void {
    this.#offs.forEach((off) => off());
    this.#offs = [];
    this.#stepper = stepper;
    this.#last = null;
    for (const li of this.#items.values()) {
      li.querySelector('.step-result')?.remove();
      li.dataset.state = 'todo';
    }
    if (stepper) {
      this.#offs.push(stepper.on('change', () => this.#render()), stepper.on('step', (step, result) => this.#showResult(step, result)));
      for (const [id, result] of stepper.results) this.#showResult(this.#step(id), result);
    }
    this.#render();
  }

  /**
   * Shows the steps of `role` before its call exists (no stepper yet): e.g. the callee waiting for
   * an offer. The button stays disabled.
   */
  preview(role: PeerRole): void {
    this.attach(null);
    const { step: next, waitingFor } = nextStep(role, new Set());
    for (const step of STEPS) {
      const li = this.#items.get(step.id);
      if (li) li.dataset.state = step === next ? (waitingFor ? 'waiting' : 'next') : isOwnStep(step, role) ? 'todo' : 'other';
    }
    if (!next) return;
    const state = waitingFor ? 'waiting' : 'ready';
    this.#root.dataset.state = state;
    setState(this.#status, state, waitingFor
      ? `You are the ${role}. Step ${next.n} waits for: ${waitingFor.name} (${waitingFor.role}).`
      : `You are the ${role}. Next: step ${next.n} of ${STEPS.length}.`);
    this.#button.disabled = true;
  }

  async #next(): Promise<void> {
    const stepper = this.#stepper;
    if (!stepper) return;
    const pending = stepper.next.step;
    this.#button.disabled = true;
    this.#root.dataset.state = 'running';
    if (pending) setState(this.#status, 'running', `Running step ${pending.n}: ${pending.name}…${pending.waits ? ` (waiting for ${pending.waits})` : ''}`);
    try {
      const { result } = await stepper.step();
      if (result.error !== undefined) this.#onError(result.error, 'getUserMedia');
    } catch (err) {
      if (stepper !== this.#stepper) return; // that call is over (hung up): nothing to show
      this.#onError(err, pending?.name === 'getUserMedia' ? 'getUserMedia' : 'RTCPeerConnection');
    }
    this.#render();
  }

  #step(id: StepId): Step {
    return getStep(id);
  }

  #showResult(step: Step, result: StepResult): void {
    const li = this.#items.get(step.id);
    if (!li) return;
    li.querySelector('.step-result')?.remove();
    const box = h('div', { class: 'step-result' }, h('span', { class: 'step-summary' }, `→ ${result.summary}`));
    if (result.detail) {
      box.append(h('details', {}, h('summary', {}, 'full result', h('span', { class: 'visually-hidden' }, `: step ${step.n}, ${step.name}`)),
        h('pre', { class: 'step-detail' }, result.detail)));
    }
    li.append(box);
    this.#last = { step, result };
  }

  #render(): void {
    const stepper = this.#stepper;
    if (!stepper) {
      this.#root.dataset.state = 'idle';
      setState(this.#status, 'idle', 'Join a room in step mode: the steps start when both peers are in it.');
      this.#current.replaceChildren();
      this.#button.disabled = true;
      delete this.#button.dataset.nextStep;
      return;
    }
    const { step: next, waitingFor } = stepper.next;
    for (const step of STEPS) {
      const li = this.#items.get(step.id);
      if (!li) continue;
      const own = isOwnStep(step, stepper.role);
      li.dataset.state = stepper.done.has(step.id) ? 'done' : step === next ? (waitingFor ? 'waiting' : 'next') : own ? 'todo' : 'other';
    }
    const state = stepper.busy ? 'running' : !next ? 'done' : waitingFor ? 'waiting' : 'ready';
    this.#root.dataset.state = state;
    this.#button.disabled = state !== 'ready';
    if (next) this.#button.dataset.nextStep = String(next.n);
    else delete this.#button.dataset.nextStep;
    const last = this.#last
      ? [h('p', { class: 'step-last' }, h('strong', {}, `Step ${this.#last.step.n} (${this.#last.step.name}) → `), this.#last.result.summary)]
      : [];
    if (!next) {
      setState(this.#status, 'done', `You are the ${stepper.role}: all your steps are done.`);
      this.#current.replaceChildren(...last);
      return;
    }
    setState(this.#status, state, waitingFor
      ? `You are the ${stepper.role}. Step ${next.n} waits for: ${waitingFor.name} (${waitingFor.role}).`
      : `You are the ${stepper.role}. Next: step ${next.n} of ${STEPS.length}.`);
    this.#current.replaceChildren(
      ...last,
      h('h3', {}, `Next: ${next.n}. ${next.name}`),
      h('p', {}, next.explanation),
      h('pre', {}, h('code', {}, stepCode(next.id))),
      ...(next.waits ? [h('p', { class: 'muted' }, `Waits for: ${next.waits}.`)] : []),
    );
  }
}
