/**
 * The step-mode panel of one side: the 23 steps of the walkthrough as a list (done, next, waiting,
 * the other side's), the next step's name, explanation and API call, and each step's result once
 * it ran. A "Next step" button runs the next step of the attached {@link Stepper}.
 *
 * The list shows both sides: this side's steps from its own stepper, the other side's from the
 * `progress` reports it sends ({@link StepsPanel.showPeer}), combined by {@link stepBoard}, so the
 * two tabs' lists agree.
 *
 * Root gets `data-state`: `idle` (no stepper yet), `ready`, `waiting`, `running`, `done` (this side).
 * Each `li[data-step]` gets `data-state` (`done`, `running`, `next`, `waiting`, `todo`: see
 * {@link StepState}) and `data-owner` (`you`, `peer`, `server`, `both`); the root's `data-board`
 * sums them up as `step-id=state` pairs (to compare two lists in one read).
 *
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Connectivity
 */
import type { ErrorContext } from '../errors/playground-error';
import type { IceRestartSteps } from '../rtc/step-restart';
import type { Stepper, StepResult } from '../rtc/stepper';
import { stepBoard, stepOwner, type SideProgress, type StepState } from '../rtc/step-progress';
import { RESTART_STEPS, STEPS, getStep, nextStep, type PeerRole, type RestartStepId, type Step, type StepId } from '../rtc/steps';
import { h, setState } from './dom';
import { stepCode } from './step-code';

/** Words shown with each state, so it is not told by colour alone. */
const MARK: Record<StepState, string> = { done: '✓ done', running: '⟳ running', next: '▶ next', waiting: '⏸ waiting', todo: '· to do' };

/** Step list plus "Next step" button for one side. */
export class StepsPanel {
  readonly #root: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #items = new Map<StepId, HTMLLIElement>();
  readonly #status: HTMLElement;
  readonly #current: HTMLElement;
  readonly #onError: (err: unknown, context: ErrorContext) => void;
  #stepper: Stepper | null = null;
  /** Role shown by {@link StepsPanel.preview} while there is no stepper. */
  #previewRole: PeerRole | null = null;
  /** The other side's last progress report (null: none yet). */
  #peer: SideProgress | null = null;
  /** The step that ran last and its result, shown above the next step. */
  #last: { step: Step; result: StepResult } | null = null;
  #offs: (() => void)[] = [];
  /** The ICE restart section (shown once a restart begins) and its steps. */
  readonly #restartBox: HTMLElement;
  readonly #restartItems = new Map<RestartStepId, HTMLLIElement>();

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
        h('span', { class: 'step-mark' }), ' ', h('span', { class: 'step-role' }, step.role), ' ', h('strong', {}, step.name),
        h('details', {}, h('summary', {}, 'what and how', h('span', { class: 'visually-hidden' }, `: step ${step.n}, ${step.name}`)),
          h('p', {}, step.explanation), h('pre', {}, h('code', {}, stepCode(step.id)))));
      this.#items.set(step.id, li);
      list.append(li);
    }
    const restartList = h('ol', { class: 'steps restart-steps' });
    for (const step of RESTART_STEPS) {
      const li = h('li', { 'data-restart-step': step.id, 'data-state': 'todo' }, h('strong', {}, step.name),
        h('details', {}, h('summary', {}, 'what and how', h('span', { class: 'visually-hidden' }, `: ICE restart step ${step.n}, ${step.name}`)),
          h('p', {}, step.explanation), h('pre', {}, h('code', {}, stepCode(step.id)))));
      this.#restartItems.set(step.id, li);
      restartList.append(li);
    }
    this.#restartBox = h('section', { class: 'restart-box', hidden: '' }, h('h3', {}, 'ICE restart'), restartList);
    root.replaceChildren(this.#status, this.#current, this.#restartBox, list);
    button.addEventListener('click', () => void this.#next());
    this.attach(null);
  }

  /** Shows `stepper`'s progress (null: none yet, the button is disabled). */
  attach(stepper: Stepper | null): void {
    this.#offs.forEach((off) => off());
    this.#offs = [];
    this.#stepper = stepper;
    this.#previewRole = null;
    this.#last = null;
    for (const li of this.#items.values()) {
      li.querySelector('.step-result')?.remove();
      li.dataset.state = 'todo';
    }
    this.#restartBox.hidden = true;
    for (const li of this.#restartItems.values()) {
      li.querySelector('.step-result')?.remove();
      li.dataset.state = 'todo';
    }
    if (stepper) {
      this.#offs.push(stepper.on('change', () => this.#render()), stepper.on('step', (step, result) => this.#showResult(step, result)),
        stepper.on('restart', (steps) => this.#watchRestart(steps)),
        stepper.on('restartanswered', (summary, err) => {
          if (err !== undefined) this.#onError(err, 'RTCPeerConnection');
          this.#current.replaceChildren(h('p', { class: 'step-last', 'data-restart': 'answered' }, summary));
        }));
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
    this.#previewRole = role;
    this.#render();
  }

  /**
   * Shows the other side's progress (from its `progress` message), or forgets it (null: a new
   * call, or none). The other side's role must differ from this side's.
   */
  showPeer(progress: SideProgress | null): void {
    this.#peer = progress;
    this.#render();
  }

  /** The state of every step as this list shows it (for tests and for comparing two lists). */
  get board(): Record<StepId, StepState> {
    return this.#board(this.#mine());
  }

  #mine(): SideProgress | null {
    const stepper = this.#stepper;
    if (stepper) return { role: stepper.role, done: stepper.done, running: stepper.running?.id ?? null };
    return this.#previewRole ? { role: this.#previewRole, done: [], running: null } : null;
  }

  #board(mine: SideProgress | null): Record<StepId, StepState> {
    const peer = mine && this.#peer?.role !== mine.role ? this.#peer : null;
    const caller = mine?.role === 'caller' ? mine : peer?.role === 'caller' ? peer : null;
    const callee = mine?.role === 'callee' ? mine : peer?.role === 'callee' ? peer : null;
    return stepBoard(caller, callee);
  }

  /** Marks every list item with its board state and owner (who does it, seen from `role`). */
  #paint(mine: SideProgress): void {
    const board = this.#board(mine);
    this.#root.dataset.board = STEPS.map((step) => `${step.id}=${board[step.id]}`).join(' ');
    for (const step of STEPS) {
      const li = this.#items.get(step.id);
      if (!li) continue;
      const state = board[step.id];
      const owner = stepOwner(step, mine.role);
      li.dataset.state = state;
      li.dataset.owner = owner;
      const mark = li.querySelector('.step-mark');
      if (mark) mark.textContent = `${MARK[state]}${owner === 'peer' ? ' (other side)' : owner === 'you' ? ' (you)' : ''}`;
    }
  }


  /** Shows the ICE restart steps of `steps` as they run. */
  #watchRestart(steps: IceRestartSteps): void {
    this.#restartBox.hidden = false;
    this.#offs.push(steps.on('change', () => this.#render()), steps.on('step', (step, result) => {
      const li = this.#restartItems.get(step.id);
      li?.querySelector('.step-result')?.remove();
      li?.append(h('div', { class: 'step-result' }, h('span', { class: 'step-summary' }, `→ ${result.summary}`)));
      if (li) li.dataset.state = 'done';
    }));
    this.#render();
  }

  async #next(): Promise<void> {
    const stepper = this.#stepper;
    if (!stepper) return;
    const restart = stepper.restart;
    if (restart && restart.next.step) {
      this.#button.disabled = true;
      try {
        await restart.step();
      } catch (err) {
        if (stepper === this.#stepper) this.#onError(err, 'RTCPeerConnection');
      }
      this.#render();
      return;
    }
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
    const mine = this.#mine();
    if (mine) this.#paint(mine);
    else {
      delete this.#root.dataset.board;
      for (const li of this.#items.values()) {
        li.dataset.state = 'todo';
        delete li.dataset.owner;
        const mark = li.querySelector('.step-mark');
        if (mark) mark.textContent = '';
      }
    }
    if (!stepper && mine) {
      // No call yet: nothing can run here (the button stays disabled), so the panel waits.
      const { step: next, waitingFor } = nextStep(mine.role, new Set());
      this.#root.dataset.state = 'waiting';
      if (next) {
        setState(this.#status, 'waiting', waitingFor
          ? `You are the ${mine.role}. Step ${next.n} waits for: ${waitingFor.name} (${waitingFor.role}).`
          : `You are the ${mine.role}. Step ${next.n} of ${STEPS.length} comes first, once the call starts.`);
      }
      this.#current.replaceChildren();
      this.#button.disabled = true;
      delete this.#button.dataset.nextStep;
      return;
    }
    if (!stepper) {
      this.#root.dataset.state = 'idle';
      setState(this.#status, 'idle', 'Join a room in step mode: the steps start when both peers are in it.');
      this.#current.replaceChildren();
      this.#button.disabled = true;
      delete this.#button.dataset.nextStep;
      return;
    }
    const { step: next, waitingFor } = stepper.next;
    const state = stepper.busy ? 'running' : !next ? 'done' : waitingFor ? 'waiting' : 'ready';
    this.#root.dataset.state = state;
    this.#button.disabled = state !== 'ready';
    if (next) this.#button.dataset.nextStep = String(next.n);
    else delete this.#button.dataset.nextStep;
    const last = this.#last
      ? [h('p', { class: 'step-last' }, h('strong', {}, `Step ${this.#last.step.n} (${this.#last.step.name}) → `), this.#last.result.summary)]
      : [];
    if (!next && stepper.restart?.next.step) {
      this.#renderRestart(stepper.restart);
      return;
    }
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

  #renderRestart(restart: IceRestartSteps): void {
    const { step, waiting } = restart.next;
    if (!step) return;
    for (const s of RESTART_STEPS) {
      const li = this.#restartItems.get(s.id);
      if (li) li.dataset.state = restart.done.has(s.id) ? 'done' : s === step ? (waiting ? 'waiting' : 'next') : 'todo';
    }
    const state = restart.busy ? 'running' : waiting ? 'waiting' : 'ready';
    this.#root.dataset.state = state;
    this.#button.disabled = state !== 'ready';
    this.#button.dataset.nextStep = `restart-${step.n}`;
    setState(this.#status, state, waiting
      ? `ICE restart: step ${step.n} waits for ${step.waits}.`
      : `ICE restart: next step ${step.n} of ${RESTART_STEPS.length}.`);
    this.#current.replaceChildren(
      h('h3', {}, `Next: ICE restart ${step.n}. ${step.name}`),
      h('p', {}, step.explanation),
      h('pre', {}, h('code', {}, stepCode(step.id))),
    );
  }
}
