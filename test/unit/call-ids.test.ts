/**
 * Call ids decide which call an offer, answer or `bye` belongs to: the pure rule (`matchCall`),
 * then whole sessions over the in-page relay with fake RTCPeerConnections: late answers and offers
 * of an earlier call are ignored (on both paths), an offer with a new call id from the peer of a
 * running call ends that call and starts a new one, and a renegotiation (an id we know) is not a
 * new call. Glare (an offer during our own new call) is checked in call-session.test.ts's 100 rounds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EndedCallIds, matchCall, type CallIdView } from '../../src/signaling/call-id';
import type { ClientMessage } from '../../src/signaling/protocol';
import { Call } from '../../src/rtc/call';
import { CONTROL_CHANNEL_LABEL, type ControlMessage } from '../../src/rtc/call-control';
import { Peer } from '../../src/rtc/peer';
import { perfectNegotiation } from '../../src/rtc/perfect-negotiator';
import { connectedPair, FakeServer, waitFor, type Side } from '../helpers/call-harness';
import { FakeNetwork } from '../helpers/fake-network';

const close = (...sides: Side[]) => sides.forEach((s) => s.session.close());

test('matchCall: known ids are this call, ended ids are late, an unseen offer id is a glare only while our own new call has heard nothing', () => {
  const view = (awaitingPeer: boolean): CallIdView => ({ known: (id) => id === 'this-call-1', ended: (id) => id === 'ended-call-1', awaitingPeer });
  for (const awaiting of [false, true]) {
    for (const type of ['offer', 'answer', 'bye'] as const) {
      assert.is(matchCall(type, 'this-call-1', view(awaiting)), 'this-call', `${type} naming this call`);
      assert.is(matchCall(type, 'ended-call-1', view(awaiting)), 'earlier-call', `${type} naming an ended call`);
    }
    assert.is(matchCall('offer', undefined, view(awaiting)), 'this-call', 'an offer without id (another client) is applied');
    assert.is(matchCall('answer', undefined, view(awaiting)), 'this-call');
    assert.is(matchCall('answer', 'unseen-call-1', view(awaiting)), 'earlier-call', 'an answer is never how a call learns an id');
    assert.is(matchCall('bye', 'unseen-call-1', view(awaiting)), 'earlier-call');
  }
  assert.is(matchCall('offer', 'unseen-call-1', view(true)), 'glare');
  assert.is(matchCall('offer', 'unseen-call-1', view(false)), 'new-call');
});

test('EndedCallIds remembers the most recent ids only', () => {
  const ended = new EndedCallIds(2);
  ended.add(['call-id-1', 'call-id-2']);
  ended.add(['call-id-2', 'call-id-3']);
  assert.equal(['call-id-1', 'call-id-2', 'call-id-3'].map((id) => ended.has(id)), [false, true, true]);
  assert.throws(() => new EndedCallIds(0), TypeError);
});

test("a caller that answers the other side's offer before it sent an offer of its own takes that offer's call id: all it sends names a call the other side knows", async () => {
  const net = new FakeNetwork();
  const sent: ControlMessage[] = [];
  const negotiator = perfectNegotiation({ role: 'caller', polite: true, localStream: () => null, createPeer: () => new Peer({ factory: net.factory }) });
  const call = new Call({ remote: { id: 'peer-b' }, role: 'caller', polite: true, negotiator, signaler: { send: (m) => sent.push(m) > 0 } });
  const own = call.id;
  // The other side's offer arrives before this side's own offer went out (a glare where one side was quicker).
  call.receive({ type: 'offer', sdp: 'v=0\r\na=ice-ufrag:zz\r\na=fake-kinds:audio,video,data\r\n', callId: 'offer-call-id' });
  await waitFor(() => sent.some((m) => m.type === 'answer'), 'answered');
  assert.is(call.id, 'offer-call-id');
  assert.ok(call.isCall(own) && call.isCall('offer-call-id'), 'known by both ids');
  call.hangUp();
  const named = sent.flatMap((m) => (m.type === 'candidate' ? [] : [`${m.type} ${m.callId ?? ''}`]));
  assert.ok(named.includes('answer offer-call-id') && named.includes('bye offer-call-id'), named.join(', '));
  assert.ok(named.every((n) => n.endsWith(' offer-call-id')), `every offer, answer and bye names the other side's call: ${named.join(', ')}`);
});

/** Holds what `side` sends to the server, in order, until `release()` sends it all. */
function holdSends(side: Side): { held: ClientMessage[]; release: () => void } {
  const held: ClientMessage[] = [];
  const send = side.client.send.bind(side.client);
  side.client.send = (m) => held.push(m);
  return {
    held,
    release: () => {
      side.client.send = send;
      held.splice(0).forEach(send);
    },
  };
}

/** Records `side`'s ignored late messages as "type callId path". */
function staleOf(side: Side): string[] {
  const stale: string[] = [];
  side.session.on('stale', (type, id, path) => stale.push(`${type} ${id} ${path}`));
  return stale;
}

/** The ICE username fragments of the remote candidates `side`'s connections applied. */
function appliedUfrags(side: Side): string[] {
  const ufrags: string[] = [];
  side.session.on('peer', (peer) => peer.on('remotecandidate', (c, queued) => {
    if (!queued && c?.usernameFragment) ufrags.push(c.usernameFragment);
  }));
  return ufrags;
}

const ufragOf = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];

test('a late answer of an earlier call, relayed into the next call with the same peer, is ignored (and its candidates); the call connects with the right answer', async () => {
  const net = new FakeNetwork();
  const [a, b] = await connectedPair(new FakeServer(), net, 'late-answer');
  a.session.hangUp();
  await waitFor(() => b.session.callState === 'idle', 'b saw the hang-up');
  // B's path to the server is slow: its answer to A's next call is still on the way when A hangs up.
  const bHold = holdSends(b);
  const stale = staleOf(a);
  const ufrags = appliedUfrags(a);
  a.session.call();
  const firstId = a.session.activeCall?.id;
  await waitFor(() => bHold.held.some((m) => m.type === 'answer'), 'b answered the first call');
  const lateUfrag = ufragOf(bHold.held.find((m) => m.type === 'answer')?.sdp);
  a.session.hangUp(); // reaches B (A's path is fine): B ends that call too
  await waitFor(() => b.session.callState === 'idle', 'b ended the first call');
  a.session.call();
  const secondId = a.session.activeCall?.id;
  await waitFor(() => bHold.held.filter((m) => m.type === 'answer').length === 2, 'b answered the second call');
  bHold.release(); // the first call's answer and candidates arrive first, then the second's
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'the second call connects');
  assert.equal(stale, [`answer ${firstId} server`], 'the late answer was seen and ignored');
  assert.is(b.session.activeCall?.id, secondId);
  assert.ok(lateUfrag && !ufrags.includes(lateUfrag), "none of the late answer's candidates was applied");
  assert.not.ok(a.events.some((e) => e.startsWith('problem')), `no problem: ${a.events.join(', ')}`);
  close(a, b);
});

test('over the data channel too, an answer naming another call is ignored, not applied', async () => {
  const [a, b] = await connectedPair(new FakeServer(), new FakeNetwork(), 'late-answer-dc');
  await waitFor(() => (a.session.activeCall?.controlOpen ?? false) && (b.session.activeCall?.controlOpen ?? false), 'control channels open');
  const stale = staleOf(b);
  const control = a.pc()?.channels.find((c) => c.label === CONTROL_CHANNEL_LABEL);
  control?.send(JSON.stringify({ type: 'answer', sdp: 'v=0\r\na=ice-ufrag:zz\r\n', callId: 'an-earlier-call' }));
  await waitFor(() => stale.length === 1, 'the answer naming another call is seen');
  assert.equal(stale, ['answer an-earlier-call data-channel']);
  await new Promise((r) => setTimeout(r, 20));
  assert.is(b.pc()?.signalingState, 'stable');
  assert.is(b.session.callState, 'connected');
  assert.not.ok(b.events.some((e) => e.startsWith('problem')), `no problem: ${b.events.join(', ')}`);
  close(a, b);
});

test('an offer with a new call id from the peer of a running call (it hung up, the bye was lost, it called again) ends that call and answers the new one', async () => {
  const net = new FakeNetwork();
  const [a, b] = await connectedPair(new FakeServer(), net, 'new-call');
  await waitFor(() => (a.session.activeCall?.controlOpen ?? false) && (b.session.activeCall?.controlOpen ?? false), 'control channels open');
  const oldPc = b.pc();
  const oldId = b.session.activeCall?.id;
  // A's bye is lost on both paths.
  const send = a.client.send.bind(a.client);
  a.client.send = (m) => m.type !== 'bye' && send(m);
  const control = a.pc()?.channels.find((c) => c.label === CONTROL_CHANNEL_LABEL);
  if (control) control.send = () => undefined;
  a.session.hangUp();
  a.client.send = send;
  a.session.call();
  const newId = a.session.activeCall?.id;
  await waitFor(() => b.events.includes('ended:new-call'), 'b ends the old call');
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'the new call connects');
  assert.is(b.session.activeCall?.id, newId, 'b answers as the callee of the new call');
  assert.is(b.session.role, 'callee');
  assert.ok(b.pc() !== oldPc && oldPc?.signalingState === 'closed', 'a new RTCPeerConnection; the old one is closed');
  assert.ok(oldId !== newId);
  assert.equal(b.events.filter((e) => e.startsWith('ended')), ['ended:new-call']);
  assert.is(net.peers.filter((pc) => pc.connectionState === 'connected').length, 2, 'exactly one call');
  close(a, b);
});

test('an offer naming the running call (an ICE restart from either side, through the server) is a renegotiation, not a new call', async () => {
  const [a, b] = await connectedPair(new FakeServer(), new FakeNetwork(), 'renegotiate');
  const pcs = [a.pc(), b.pc()];
  for (const side of [a, b]) {
    const ufrag = side.pc()?.currentUfrag;
    side.session.restartIce();
    await waitFor(() => side.pc()?.currentUfrag !== ufrag && a.pc()?.signalingState === 'stable' && b.pc()?.signalingState === 'stable'
      && a.session.callState === 'connected' && b.session.callState === 'connected', 'restarted and connected');
  }
  assert.ok(a.pc() === pcs[0] && b.pc() === pcs[1], 'the same RTCPeerConnections');
  assert.not.ok([...a.events, ...b.events].some((e) => e.startsWith('ended')), 'no call ended');
  close(a, b);
});

test('a late offer of a call that ended here starts nothing (idle) and is not taken for a glare (during our next call); its sender is told bye', async () => {
  const net = new FakeNetwork();
  const [a, b] = await connectedPair(new FakeServer(), net, 'late-offer');
  await waitFor(() => (a.session.activeCall?.controlOpen ?? false) && (b.session.activeCall?.controlOpen ?? false), 'control channels open');
  const oldId = a.session.activeCall?.id ?? '';
  const stale = staleOf(b);
  const byes: string[] = [];
  a.client.on('message', (m) => m.type === 'bye' && byes.push(m.callId));
  // A restarts ICE on a slow path to the server; B hangs up meanwhile (A hears it over the data channel).
  const aHold = holdSends(a);
  a.session.restartIce();
  await waitFor(() => aHold.held.some((m) => m.type === 'offer'), 'a sent its ICE restart offer');
  b.session.hangUp();
  await waitFor(() => a.session.callState === 'idle', 'a heard the hang-up');
  const pcsBefore = net.peers.length;
  aHold.release();
  await waitFor(() => stale.length === 1, 'b saw the late offer');
  assert.equal(stale, [`offer ${oldId} server`]);
  await waitFor(() => byes.length === 2, "b's bye for the ended call reached a (after its hang-up's)");
  assert.equal(byes, [oldId, oldId]);
  assert.is(b.session.callState, 'idle', 'nothing started');
  assert.is(net.peers.length, pcsBefore, 'no RTCPeerConnection made');

  // Again, but B calls again before the late offer arrives: it is late, not a glare.
  await waitFor(() => a.session.callState === 'idle' && b.session.callState === 'idle', 'both idle');
  b.session.call();
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'called again');
  await waitFor(() => (a.session.activeCall?.controlOpen ?? false) && (b.session.activeCall?.controlOpen ?? false), 'control channels open');
  const secondId = b.session.activeCall?.id ?? '';
  const aHold2 = holdSends(a);
  a.session.restartIce();
  await waitFor(() => aHold2.held.some((m) => m.type === 'offer'), 'a sent its ICE restart offer');
  b.session.hangUp();
  await waitFor(() => a.session.callState === 'idle', 'a heard the hang-up');
  b.session.call(); // A answers it on its slow path, behind the late offer
  const thirdId = b.session.activeCall?.id;
  await waitFor(() => aHold2.held.some((m) => m.type === 'answer'), 'a answered the third call');
  aHold2.release();
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'the third call connects');
  assert.equal(stale, [`offer ${oldId} server`, `offer ${secondId} server`], 'the late offer is ignored');
  assert.is(b.pc()?.rollbacks, 0, 'b did not roll back its offer for it (no glare)');
  assert.is(a.session.activeCall?.id, thirdId);
  assert.is(net.peers.filter((pc) => pc.connectionState === 'connected').length, 2, 'exactly one call');
  close(a, b);
});

test.run();
