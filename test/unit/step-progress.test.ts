import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { progressReport, stepBoard, stepOwner } from '../../src/rtc/step-progress';
import { STEP_IDS, getStep, nextStep, stepsImpliedBy, type PeerRole, type StepId } from '../../src/rtc/steps';

/** Drives both sides' done sets the way two steppers do (own steps in order, offer/answer implying the other's). */
function walk(): { caller: Set<StepId>; callee: Set<StepId>; step(role: PeerRole): StepId | null } {
  const caller = new Set<StepId>();
  const callee = new Set<StepId>();
  return {
    caller, callee,
    step(role) {
      const done = role === 'caller' ? caller : callee;
      const { step, waitingFor } = nextStep(role, done);
      if (!step || waitingFor) return null;
      done.add(step.id);
      if (step.id === 'caller-send-offer') for (const id of stepsImpliedBy('offer')) callee.add(id);
      if (step.id === 'callee-send-answer') for (const id of stepsImpliedBy('answer')) caller.add(id);
      if (step.id === 'connected') for (const id of STEP_IDS) done.add(id);
      return step.id;
    },
  };
}

test('before anything: the caller\'s first step is next, the callee waits for the relayed offer, the rest to do', () => {
  const board = stepBoard({ role: 'caller', done: [], running: null }, null);
  assert.is(board['caller-get-user-media'], 'next');
  assert.is(board['callee-get-user-media'], 'waiting');
  assert.is(board['server-relay-offer'], 'todo');
  assert.is(board['caller-create-offer'], 'todo');
  assert.is(board.connected, 'todo');
  assert.equal(stepBoard(null, null), board, 'a side that has not reported counts as nothing done');
});

test('a running step shows as running; done wins over running', () => {
  const board = stepBoard({ role: 'caller', done: ['caller-get-user-media'], running: 'caller-new-peer-connection' }, null);
  assert.is(board['caller-get-user-media'], 'done');
  assert.is(board['caller-new-peer-connection'], 'running');
  assert.is(stepBoard({ role: 'caller', done: ['caller-get-user-media'], running: 'caller-get-user-media' }, null)['caller-get-user-media'], 'done');
});

test('the board is the same whichever tab computes it, and walks to all done through a whole call', () => {
  const w = walk();
  let guard = 0;
  while ((w.step('caller') ?? w.step('callee')) !== null && guard++ < 100) {
    const caller = { role: 'caller' as const, done: w.caller, running: null };
    const callee = { role: 'callee' as const, done: [...w.callee], running: null };
    const board = stepBoard(caller, callee);
    // Exactly one "next" or "waiting" per side that has steps left, never two.
    for (const role of ['caller', 'callee'] as const) {
      const own = STEP_IDS.filter((id) => getStep(id).role === role);
      assert.ok(own.filter((id) => board[id] === 'next' || board[id] === 'waiting').length <= 1, `${role} has one next step`);
    }
    // Every step a side knows done is done on the board.
    for (const id of [...w.caller, ...w.callee]) assert.is(board[id], 'done', id);
  }
  assert.ok(guard > 20 && guard < 100, `steps taken: ${guard}`);
  const end = stepBoard({ role: 'caller', done: w.caller }, { role: 'callee', done: w.callee });
  assert.equal(Object.values(end).filter((s) => s !== 'done'), []);
});

test('the server\'s relay is done once either side knows it; connected shows the less advanced side', () => {
  const afterOffer = stepBoard({ role: 'caller', done: ['caller-get-user-media'] }, { role: 'callee', done: stepsImpliedBy('offer') });
  assert.is(afterOffer['server-relay-offer'], 'done');
  assert.is(afterOffer['callee-get-user-media'], 'next');
  const callerConnected = stepBoard({ role: 'caller', done: STEP_IDS }, { role: 'callee', done: STEP_IDS.filter((id) => id !== 'connected'), running: 'connected' });
  assert.is(callerConnected.connected, 'done', 'the caller knows every step is done once it is connected');
  const both = stepBoard({ role: 'caller', done: STEP_IDS.filter((id) => id !== 'connected'), running: 'connected' }, { role: 'callee', done: STEP_IDS.filter((id) => id !== 'connected') });
  assert.is(both.connected, 'next', 'caller running, callee ready: the less advanced side shows');
});

test('a report with the wrong role is refused (TypeError)', () => {
  assert.throws(() => stepBoard({ role: 'callee', done: [] }, null), TypeError);
});

test('progressReport lists done steps in walkthrough order with the running step; stepOwner is seen from a role', () => {
  const report = progressReport({ role: 'callee', done: new Set<StepId>(['callee-get-user-media', 'caller-get-user-media']), running: getStep('callee-new-peer-connection') });
  assert.equal(report, { role: 'callee', done: ['caller-get-user-media', 'callee-get-user-media'], running: 'callee-new-peer-connection' });
  assert.equal(progressReport({ role: 'caller', done: new Set(), running: null }), { role: 'caller', done: [] });
  assert.is(stepOwner(getStep('caller-create-offer'), 'caller'), 'you');
  assert.is(stepOwner(getStep('caller-create-offer'), 'callee'), 'peer');
  assert.is(stepOwner(getStep('server-relay-offer'), 'callee'), 'server');
  assert.is(stepOwner(getStep('connected'), 'callee'), 'both');
});

test.run();
