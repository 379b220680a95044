import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diagnoseIce, IceWatchdog, type IceFacts } from '../../src/rtc/ice-watchdog';
import { Peer } from '../../src/rtc/peer';
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

/**
 * The states and events a glare's last step really gives, recorded in Chromium and Firefox (the
 * answer applied by the offerer: one signalingstatechange to "stable", both descriptions already
 * set when it fires; with no remote candidate connectionState stays "new" and no other event comes).
 */
class RecordedGlareEnd extends EventTarget {
  signalingState: RTCSignalingState = 'have-local-offer';
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  iceGatheringState: RTCIceGatheringState = 'complete';
  localDescription: { type: string; sdp: string } | null = { type: 'offer', sdp: 'v=0\r\n' };
  remoteDescription: { type: string; sdp: string } | null = null;
  onsignalingstatechange: (() => void) | null = null;
  restarts = 0;
  restartIce(): void { this.restarts++; }
  close(): void { this.signalingState = 'closed'; }
  applyAnswer(): void {
    this.remoteDescription = { type: 'answer', sdp: 'v=0\r\n' };
    this.signalingState = 'stable';
    this.onsignalingstatechange?.();
  }
}

test('watchdog: armed by the one event a stalled glare gives in Chromium and Firefox (answer applied, connectionState stays "new"): the impolite side restarts ICE, the polite side only explains, later', async () => {
  for (const impolite of [true, false]) {
    const pc = new RecordedGlareEnd();
    const peer = new Peer({ factory: () => pc as unknown as RTCPeerConnection });
    const seen: string[] = [];
    const dog = new IceWatchdog(peer, { impolite, timeoutMs: 60, restart: () => peer.pc.restartIce(), remoteCandidates: () => 0 });
    dog.on('restart', () => seen.push('restart'));
    dog.on('stuck', (d) => seen.push(`stuck ${d.cause}`));
    pc.applyAnswer();
    await waitFor(() => seen.length > (impolite ? 1 : 0), 'the watchdog acted', 3000);
    if (impolite) {
      assert.equal(seen, ['restart', 'stuck no-local-candidates'], 'one restart, then (nothing changed) an explanation');
      assert.is(pc.restarts, 1);
    } else {
      assert.equal(seen, ['stuck no-local-candidates'], 'the polite side never restarts');
      assert.is(pc.restarts, 0);
    }
    dog.stop();
    peer.close();
  }
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
