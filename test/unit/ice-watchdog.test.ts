import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diagnoseIce, type IceFacts } from '../../src/rtc/ice-watchdog';
import { fakeStepMode, FakeServer, makeSide, waitFor } from '../helpers/call-harness';
import { FakeNetwork } from '../helpers/fake-network';

const facts = (f: Partial<IceFacts>): IceFacts => ({ policy: 'all', turnServers: 0, localCandidates: 2, remoteCandidates: 2, serverErrors: [], ...f });

test('diagnosis: "no network path" only when both sides had candidates; known causes win', () => {
  assert.is(diagnoseIce(facts({})).cause, 'no-network-path');
  assert.match(diagnoseIce(facts({})).message, /no network path/);
  assert.is(diagnoseIce(facts({ policy: 'relay', turnServers: 0, localCandidates: 0 })).cause, 'relay-without-turn');
  assert.is(diagnoseIce(facts({ localCandidates: 0 })).cause, 'no-local-candidates');
  assert.is(diagnoseIce(facts({ remoteCandidates: 0 })).cause, 'no-remote-candidates');
  const turn = diagnoseIce(facts({ policy: 'relay', turnServers: 1, localCandidates: 0, serverErrors: [{ errorCode: 401, errorText: 'Unauthorized', url: 'turn:127.0.0.1:3478' }] }));
  assert.is(turn.cause, 'ice-server-error');
  assert.match(turn.message, /401/);
  for (const f of [facts({ localCandidates: 0 }), facts({ remoteCandidates: 0 }), facts({ policy: 'relay', localCandidates: 0 })]) {
    assert.not.match(diagnoseIce(f).message, /no network path/, 'never says "no network path" for a known cause');
  }
});

test('watchdog: a stalled gathering (as after a glare) is recovered by one ICE restart from the impolite side', async () => {
  const server = new FakeServer();
  const net = new FakeNetwork();
  net.stallGatherings = 1; // the caller's first gathering finds nothing
  const a = makeSide(server, net, 'stall', { iceTimeoutMs: 400 });
  await waitFor(() => a.session.roomState === 'joined', 'a joined');
  const b = makeSide(server, net, 'stall', { iceTimeoutMs: 400 });
  const restarts: string[] = [];
  for (const [name, s] of [['a', a], ['b', b]] as const) s.session.on('callstart', (call) => call.on('icerestart', () => restarts.push(name)));
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'connected after the restart', 8000);
  assert.is(restarts.length, 1, 'exactly one restart');
  const impolite = a.session.activeCall?.polite ? 'b' : 'a';
  assert.equal(restarts, [impolite], 'by the impolite side');
  assert.not.ok([...a.events, ...b.events].some((e) => e.startsWith('problem:Ice')), 'nothing to explain');
  a.session.close();
  b.session.close();
});

test('watchdog: when the restart does not help, the page is told why (not "no network path")', async () => {
  const server = new FakeServer();
  const net = new FakeNetwork();
  net.stallGatherings = 1000; // nothing is ever gathered
  const a = makeSide(server, net, 'dead', { iceTimeoutMs: 300 });
  await waitFor(() => a.session.roomState === 'joined', 'a joined');
  const b = makeSide(server, net, 'dead', { iceTimeoutMs: 300 });
  const problems: Error[] = [];
  for (const s of [a, b]) s.session.on('problem', (err) => err instanceof Error && problems.push(err));
  await waitFor(() => problems.some((p) => p.name === 'IceStuck'), 'an explanation', 8000);
  const stuck = problems.find((p) => p.name === 'IceStuck');
  assert.match(stuck?.message ?? '', /no ICE candidate of its own|never arrived/);
  assert.not.ok(problems.some((p) => p.name === 'IceFailed'), 'not "no network path"');
  a.session.close();
  b.session.close();
});

test('step mode through the same session: every step one call at a time ends connected; the roles come from the session', async () => {
  const server = new FakeServer();
  const net = new FakeNetwork();
  const { negotiator, steppers } = fakeStepMode(net);
  const [a, b] = await (async () => {
    const a = makeSide(server, net, 'steps', { negotiator });
    await waitFor(() => a.session.roomState === 'joined', 'a joined');
    const b = makeSide(server, net, 'steps', { negotiator });
    await waitFor(() => steppers.length === 1, 'the caller stepper');
    return [a, b];
  })();
  assert.is(steppers[0]?.role, 'caller');
  assert.is(b.session.role, 'caller');
  let clicks = 0;
  for (let guard = 0; guard < 2000 && !(steppers.length === 2 && steppers.every((s) => s.finished)); guard++) {
    const ready = steppers.find((s) => !s.finished && !s.busy && s.next.waitingFor === null);
    if (ready) {
      // Like two people clicking: a waiting step ("connected") must not block the other side.
      const running = ready.step();
      clicks++;
      await Promise.race([running, new Promise((r) => setTimeout(r, 20))]);
    } else {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  assert.is(steppers[1]?.role, 'callee');
  assert.is(clicks, 22);
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'connected');
  a.session.close();
  b.session.close();
});

test.run();
