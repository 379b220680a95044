/**
 * Both sides' step-mode progress as one board: each side reports which steps it knows are done and
 * which one it is running (a `progress` signaling message, see `docs/protocol.md`); from the two
 * reports {@link stepBoard} works out the state of every step, the same way in both tabs, so both
 * step lists agree.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import type { CallSession } from './session';
import type { Stepper } from './stepper';
import { STEPS, nextStep, type PeerRole, type Step, type StepId } from './steps';
import type { Trace } from './trace';

/**
 * One side's progress: what it knows is done (its own steps and the ones it learned of from
 * signals) and the step it is running now (null: none).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface SideProgress {
  role: PeerRole;
  done: readonly StepId[] | ReadonlySet<StepId>;
  /** The step running now; null or absent: none. */
  running?: StepId | null;
}

/**
 * The state of one step on the board:
 * - `done`: its side (or the server) did it;
 * - `running`: its side is running it now;
 * - `next`: its side's next step, ready to run;
 * - `waiting`: its side's next step, waiting for the other side (or the server);
 * - `todo`: later.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type StepState = 'done' | 'running' | 'next' | 'waiting' | 'todo';

/** Order used to combine the two sides' states of a `both` step: the least advanced wins. */
const RANK: Record<StepState, number> = { todo: 0, waiting: 1, next: 2, running: 3, done: 4 };

/**
 * The state of every step given both sides' progress (null: that side has not reported yet, as if
 * it had done nothing). Steps of the caller or callee take the state their side reports; the
 * server's steps are done when either side knows it; the `both` step (connected) shows the least
 * advanced of the two sides. Pure: the same inputs give the same board in every tab.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function stepBoard(caller: SideProgress | null, callee: SideProgress | null): Record<StepId, StepState> {
  const sides = { caller: side('caller', caller), callee: side('callee', callee) };
  const known = new Set<StepId>([...sides.caller.done, ...sides.callee.done]);
  const board = {} as Record<StepId, StepState>;
  for (const step of STEPS) {
    if (known.has(step.id)) {
      board[step.id] = 'done';
    } else if (step.role === 'server') {
      board[step.id] = 'todo';
    } else if (step.role === 'both') {
      const a = ownState(step, sides.caller);
      const b = ownState(step, sides.callee);
      board[step.id] = RANK[a] <= RANK[b] ? a : b;
    } else {
      board[step.id] = ownState(step, sides[step.role]);
    }
  }
  return board;
}

interface Side {
  role: PeerRole;
  done: ReadonlySet<StepId>;
  running: StepId | null;
  next: Step | null;
  waiting: boolean;
}

function side(role: PeerRole, p: SideProgress | null): Side {
  if (p && p.role !== role) throw new TypeError(`the ${role}'s progress says role "${p.role}"`);
  const done = new Set(p?.done ?? []);
  const { step, waitingFor } = nextStep(role, done);
  return { role, done, running: p?.running ?? null, next: step, waiting: waitingFor !== null };
}

function ownState(step: Step, s: Side): StepState {
  if (s.done.has(step.id)) return 'done';
  if (s.running === step.id) return 'running';
  if (s.next?.id === step.id) return s.waiting ? 'waiting' : 'next';
  return 'todo';
}

/**
 * Who does `step`, seen from a side with `role`: `you`, `peer` (the other side), `server`, or
 * `both`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function stepOwner(step: Step, role: PeerRole): 'you' | 'peer' | 'server' | 'both' {
  if (step.role === 'server' || step.role === 'both') return step.role;
  return step.role === role ? 'you' : 'peer';
}

/**
 * The `progress` report of a stepper-like side (its role, what it knows is done, the step it
 * runs), shaped for `CallSession.sendProgress`: `done` in walkthrough order.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function progressReport(side: { role: PeerRole; done: ReadonlySet<StepId>; running: Step | null }): { role: PeerRole; done: StepId[]; running?: StepId } {
  const done = STEPS.filter((s) => side.done.has(s.id)).map((s) => s.id);
  return side.running ? { role: side.role, done, running: side.running.id } : { role: side.role, done };
}

/**
 * Step mode wiring of one side: sends `stepper`'s progress to the other side through `session` now
 * and after every change, and writes each step's name into `trace` as a note when it starts (the
 * sequence diagram shows it between the messages). Stops when the stepper is closed with the call.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function shareSteps(stepper: Stepper, session: Pick<CallSession, 'sendProgress'>, trace: Trace | null): void {
  const report = () => session.sendProgress(progressReport(stepper));
  stepper.on('change', report);
  if (trace) stepper.on('start', (step) => trace.record({ kind: 'note', side: stepper.role, text: `step ${step.n}: ${step.name}` }));
  report();
}
