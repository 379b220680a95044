import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Stepper } from '../../src/rtc/stepper';

const base = { configuration: () => ({ iceServers: [] }), send: () => undefined };

test('a denied getUserMedia step is done with its error: the side goes on receive-only', async () => {
  const stepper = new Stepper({ ...base, role: 'caller', getUserMedia: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) });
  const { step, result } = await stepper.step();
  assert.is(step.id, 'caller-get-user-media');
  assert.is((result.error as DOMException).name, 'NotAllowedError');
  assert.match(result.summary, /NotAllowedError.*only receives/);
  assert.is(stepper.localStream, null);
  assert.is(stepper.next.step?.id, 'caller-new-peer-connection');
});

test('the callee cannot step before the offer; the offer unblocks it; a second offer is ignored', async () => {
  const stepper = new Stepper({ ...base, role: 'callee', getUserMedia: () => Promise.reject(new DOMException('no', 'NotFoundError')) });
  try {
    await stepper.step();
    assert.unreachable('stepped while waiting');
  } catch (err) {
    assert.is((err as DOMException).name, 'InvalidStateError');
    assert.match((err as Error).message, /waiting for: server relays the offer/);
  }
  let changes = 0;
  stepper.on('change', () => changes++);
  stepper.receive({ type: 'answer', sdp: 'v=0' });
  assert.is(changes, 0, 'an answer means nothing to the callee');
  stepper.receive({ type: 'offer', sdp: 'v=0' });
  assert.is(changes, 1);
  assert.ok(stepper.done.has('caller-send-offer'));
  assert.is(stepper.next.waitingFor, null);
  stepper.receive({ type: 'offer', sdp: 'v=0 again' });
  assert.is(changes, 1);
  await stepper.step();
  assert.ok(stepper.done.has('callee-get-user-media'));
});

test('role must be caller or callee', () => {
  assert.throws(() => new Stepper({ ...base, role: 'server' as 'caller', getUserMedia: () => Promise.reject(new Error('x')) }), TypeError);
});

test.run();
