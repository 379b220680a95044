import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { STEPS, STEP_IDS, getStep, isOwnStep, nextStep, stepsImpliedBy, type StepId } from '../../src/rtc/steps';

test('23 steps, numbered in order, each with name, explanation and a known role (code: step-code.test)', () => {
  assert.is(STEPS.length, 23);
  STEPS.forEach((s, i) => {
    assert.is(s.n, i + 1);
    assert.is(s.id, STEP_IDS[i]);
    assert.ok(s.name && s.explanation, s.id);
    assert.ok(['caller', 'callee', 'server', 'both'].includes(s.role), s.id);
    for (const dep of s.after) assert.ok(STEP_IDS.indexOf(dep) < i, `${s.id} waits for a later step ${dep}`);
  });
  assert.is(getStep('caller-create-offer').name, 'createOffer');
  assert.throws(() => getStep('nope' as StepId), TypeError);
});

test('the caller starts with getUserMedia; the callee waits for the relayed offer', () => {
  const none = new Set<StepId>();
  assert.is(nextStep('caller', none).step?.id, 'caller-get-user-media');
  assert.is(nextStep('caller', none).waitingFor, null);
  const callee = nextStep('callee', none);
  assert.is(callee.step?.id, 'callee-get-user-media');
  assert.is(callee.waitingFor?.id, 'server-relay-offer');
});

test('the caller walks its own steps in order, then waits for the answer', () => {
  const done = new Set<StepId>();
  const seen: StepId[] = [];
  for (;;) {
    const { step, waitingFor } = nextStep('caller', done);
    if (!step || waitingFor) break;
    seen.push(step.id);
    done.add(step.id);
  }
  assert.equal(seen, STEPS.filter((s) => s.n <= 8).map((s) => s.id));
  const blocked = nextStep('caller', done);
  assert.is(blocked.step?.id, 'caller-set-remote-answer');
  assert.is(blocked.waitingFor?.id, 'server-relay-answer');
  assert.is(blocked.waitingFor?.role, 'server');
});

test('a received offer unblocks the callee; a received answer unblocks the caller; both end with "connected"', () => {
  const callee = new Set<StepId>(stepsImpliedBy('offer'));
  assert.ok(callee.has('caller-send-offer') && callee.has('server-relay-offer'));
  assert.not.ok(callee.has('callee-get-user-media'));
  const order: StepId[] = [];
  for (let n = nextStep('callee', callee); n.step && !n.waitingFor; n = nextStep('callee', callee)) {
    order.push(n.step.id);
    callee.add(n.step.id);
  }
  assert.is(order[0], 'callee-get-user-media');
  assert.is(order.at(-1), 'connected');
  assert.equal(nextStep('callee', callee), { step: null, waitingFor: null });
  assert.ok(order.every((id) => isOwnStep(getStep(id), 'callee')));

  const caller = new Set<StepId>(STEPS.filter((s) => s.n <= 8).map((s) => s.id));
  for (const id of stepsImpliedBy('answer')) caller.add(id);
  assert.ok(caller.has('server-relay-answer') && caller.has('callee-send-answer'));
  assert.is(nextStep('caller', caller).step?.id, 'caller-set-remote-answer');
  assert.is(nextStep('caller', caller).waitingFor, null);
});

test('a bad role is a TypeError', () => {
  assert.throws(() => nextStep('server' as 'caller', new Set()), TypeError);
});

test.run();
