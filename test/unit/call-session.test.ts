import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reconnectDelay, RECONNECT_SCHEDULE_MS } from '../../src/signaling/client';
import { connectedPair, FakeServer, makeSide, waitFor, type Side } from '../helpers/call-harness';
import { FakeNetwork } from '../helpers/fake-network';
import { Peer } from '../../src/rtc/peer';
import { PerfectNegotiator } from '../../src/rtc/perfect-negotiator';
import { CONTROL_CHANNEL_LABEL } from '../../src/rtc/call-control';
import type { ClientMessage } from '../../src/signaling/protocol';

const close = (...sides: Side[]) => sides.forEach((s) => s.session.close());

test('offer/answer order: the second joiner calls, the first answers; one connected call on each side', async () => {
  const server = new FakeServer();
  const net = new FakeNetwork();
  const [a, b] = await connectedPair(server, net, 'order');
  assert.is(b.session.role, 'caller');
  assert.is(a.session.role, 'callee');
  assert.is(b.pc()?.offersMade, 1);
  assert.is(a.pc()?.offersMade, 0);
  assert.is(a.session.remote?.id, b.session.id);
  assert.is(b.session.remote?.id, a.session.id);
  assert.is(net.peers.length, 2, 'one RTCPeerConnection per side');
  close(a, b);
  assert.is(net.peers.every((pc) => pc.signalingState === 'closed'), true, 'close() closes the connections');
});

test('glare: "Call again" on both sides, in both orders, 100 times with random delays: always exactly one stable call', async () => {
  let glares = 0;
  let rollbacks = 0;
  for (let i = 0; i < 100; i++) {
    const server = new FakeServer();
    const net = new FakeNetwork({ maxDelayMs: 4 });
    const [a, b] = await connectedPair(server, net, `glare-${i}`);
    a.session.hangUp();
    await waitFor(() => b.session.callState === 'idle', 'b saw the hang-up');
    const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
    const before = net.peers.length;
    first.session.call();
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    try {
      second.session.call();
    } catch (err) {
      assert.is((err as DOMException).name, 'InvalidStateError', 'the offer won the race: already in a call');
    }
    // Connected, and any follow-up negotiation (the polite side's own transceivers) settled.
    await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected'
      && a.pc()?.signalingState === 'stable' && b.pc()?.signalingState === 'stable', `round ${i} connected and stable`);
    const pcs = net.peers.slice(before);
    if (pcs.length === 2 && pcs.every((pc) => pc.offersMade > 0)) {
      glares++;
      if (pcs.some((pc) => pc.rollbacks > 0)) rollbacks++;
    }
    assert.is(a.session.remote?.id, b.session.id);
    assert.is(b.session.remote?.id, a.session.id);
    // A glare call has two ids (each side started it): either side's bye names it for the other.
    const [ca, cb] = [a.session.activeCall, b.session.activeCall];
    assert.ok(ca && cb && ca.isCall(cb.id) && cb.isCall(ca.id), `round ${i}: each side knows the other's call id`);
    // The other side's offer during our own was a glare, not a new call that replaced ours.
    assert.not.ok([...a.events, ...b.events].includes('ended:new-call'), `round ${i}: no call was taken for a new one`);
    for (const s of [a, b]) assert.is(s.pc()?.signalingState, 'stable');
    assert.is(net.peers.filter((pc) => pc.connectionState === 'connected').length, 2, `round ${i}: exactly one call (two connected ends)`);
    close(a, b);
  }
  assert.ok(glares >= 30, `both sides really offered in ${glares} of 100 rounds`);
  assert.ok(rollbacks >= 10, `the polite side rolled its offer back in ${rollbacks} rounds`);
});

test('negotiator: candidates that arrive before the remote description are queued, then added; the answer follows', async () => {
  const net = new FakeNetwork();
  const n = new PerfectNegotiator({ role: 'callee', polite: true, localStream: () => null, createPeer: () => new Peer({ factory: net.factory }) });
  const queued: boolean[] = [];
  const out: string[] = [];
  n.peer.on('remotecandidate', (_c, q) => queued.push(q));
  n.on('signal', (sig) => out.push(sig.type));
  n.receive({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 10.9.9.9 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'zz' } });
  n.receive({ type: 'offer', sdp: 'v=0\r\na=ice-ufrag:zz\r\na=fake-kinds:audio,video,data\r\n' });
  await n.settled();
  assert.equal(queued, [true, false]);
  assert.is(out[0], 'answer');
  assert.is(n.peer.pc.signalingState, 'stable');
  n.close();
  assert.is(n.peer.pc.signalingState, 'closed');
});

test('hang-up reaches the other side; both can call again', async () => {
  const server = new FakeServer();
  const net = new FakeNetwork();
  const [a, b] = await connectedPair(server, net, 'hangup');
  b.session.hangUp();
  await waitFor(() => a.events.includes('ended:remote-hangup'), 'a hears the hang-up');
  assert.ok(b.events.includes('ended:local-hangup'));
  a.session.call();
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'called again');
  assert.is(a.session.role, 'caller');
  close(a, b);
});

/** Two sides in a connected call in `room`, both with the call's control data channel open. */
async function withControlChannels(room: string): Promise<{ server: FakeServer; a: Side; b: Side }> {
  const server = new FakeServer();
  const [a, b] = await connectedPair(server, new FakeNetwork(), room);
  await waitFor(() => (a.session.activeCall?.controlOpen ?? false) && (b.session.activeCall?.controlOpen ?? false), 'control channels open');
  return { server, a, b };
}

test('server down mid-call: the call keeps running, hang-up still reaches the other side over the data channel', async () => {
  const { server, a, b } = await withControlChannels('dc-bye');
  const paths: string[] = [];
  b.session.on('control', (d, m, p) => paths.push(`${d} ${m.type} ${p}`));
  server.stop();
  await waitFor(() => a.session.roomState === 'reconnecting' && b.session.roomState === 'reconnecting', 'both reconnecting');
  assert.is(a.session.callState, 'connected', 'the call is untouched');
  a.session.hangUp();
  await waitFor(() => b.events.includes('ended:remote-hangup'), 'bye over the data channel');
  assert.ok(paths.includes('received bye data-channel'));
  close(a, b);
});

test('a late bye of the earlier call, relayed after "Call again" started a new call with the same peer, is ignored; a bye for the current call ends it', async () => {
  const { a, b } = await withControlChannels('stale-bye');
  const oldId = b.session.activeCall?.id;
  assert.is(a.session.activeCall?.id, oldId, 'the callee took the call id from the offer');
  // A's path to the server is slow: what it sends waits, in order, until released.
  const held: ClientMessage[] = [];
  const send = a.client.send.bind(a.client);
  a.client.send = (m) => held.push(m);
  const stale: string[] = [];
  b.session.on('stale', (type, id, path) => stale.push(`${type} ${id} ${path}`));
  a.session.hangUp();
  await waitFor(() => b.events.includes('ended:remote-hangup'), 'the data-channel bye ends the call');
  assert.equal(held, [{ type: 'bye', callId: oldId, to: b.session.id }]);
  b.session.call();
  const newId = b.session.activeCall?.id;
  assert.ok(newId !== undefined && newId !== oldId, 'a new call, a new id');
  a.client.send = send;
  held.forEach(send); // the old bye reaches B through the server now, after the new call started
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'the new call connects');
  assert.equal(stale, [`bye ${oldId} server`], 'the late bye was seen and ignored');
  assert.equal(b.events.filter((e) => e.startsWith('ended')), ['ended:remote-hangup'], 'only the old call ended');
  assert.is(a.session.activeCall?.id, newId);
  a.session.hangUp();
  await waitFor(() => b.session.callState === 'idle', 'a bye naming the new call ends it');
  assert.equal(b.events.filter((e) => e.startsWith('ended')), ['ended:remote-hangup', 'ended:remote-hangup']);
  close(a, b);
});

test('over the data channel too, only a bye naming the current call ends it', async () => {
  const { a, b } = await withControlChannels('stale-dc-bye');
  const stale: string[] = [];
  b.session.on('stale', (type, id, path) => stale.push(`${type} ${id} ${path}`));
  const control = a.pc()?.channels.find((c) => c.label === CONTROL_CHANNEL_LABEL);
  assert.ok(control);
  control?.send(JSON.stringify({ type: 'bye' })); // no call id: not a valid control message, dropped
  control?.send(JSON.stringify({ type: 'bye', callId: 'an-earlier-call' }));
  await waitFor(() => stale.length === 1, 'the bye naming another call is seen');
  assert.equal(stale, ['bye an-earlier-call data-channel']);
  assert.is(b.session.callState, 'connected');
  control?.send(JSON.stringify({ type: 'bye', callId: a.session.activeCall?.id }));
  await waitFor(() => b.events.includes('ended:remote-hangup'), 'the bye naming this call ends it');
  close(a, b);
});

test('renegotiation (ICE restart) while the server is down goes over the data channel', async () => {
  const { server, a, b } = await withControlChannels('dc-reneg');
  const sent: string[] = [];
  for (const s of [a, b]) s.session.on('control', (d, m, p) => sent.push(`${d} ${m.type} ${p}`));
  server.stop();
  await waitFor(() => a.session.roomState === 'reconnecting', 'a reconnecting');
  const ufrag = a.pc()?.currentUfrag;
  a.session.restartIce();
  await waitFor(() => sent.includes('received answer data-channel') && a.pc()?.signalingState === 'stable', 'offer/answer over the data channel');
  assert.ok(sent.includes('sent offer data-channel'));
  assert.is.not(a.pc()?.currentUfrag, ufrag, 'new ICE credentials');
  assert.is(a.session.callState, 'connected');
  close(a, b);
});

test('reconnect: the server restarts; both sides rejoin with their resume tokens, same ids, same call; hang-up works after', async () => {
  const server = new FakeServer();
  const net = new FakeNetwork();
  const [a, b] = await connectedPair(server, net, 'resume');
  const ids = [a.session.id, b.session.id];
  const pcs = [a.pc(), b.pc()];
  server.stop();
  await waitFor(() => a.session.roomState === 'reconnecting' && b.session.roomState === 'reconnecting', 'reconnecting');
  await new Promise((r) => setTimeout(r, 30)); // a few failed attempts
  server.start();
  await waitFor(() => a.session.roomState === 'joined' && b.session.roomState === 'joined', 'joined again');
  assert.equal([a.session.id, b.session.id], ids, 'same ids');
  assert.ok(a.pc() === pcs[0] && b.pc() === pcs[1], 'same RTCPeerConnections');
  assert.is(a.session.callState, 'connected');
  assert.not.ok([...a.events, ...b.events].some((e) => e.startsWith('ended')), 'no call ended');
  assert.equal(a.session.peers.map((p) => p.id), [b.session.id]);
  a.session.hangUp();
  await waitFor(() => b.events.includes('ended:remote-hangup'), 'hang-up after the reconnect');
  b.session.call();
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'call again after the reconnect');
  close(a, b);
});

test('leave stops reconnecting; a never-reachable server is retried with growing delays', async () => {
  const server = new FakeServer();
  server.stop();
  const net = new FakeNetwork();
  const a = makeSide(server, net, 'down');
  const attempts: number[] = [];
  a.session.on('reconnecting', (info) => attempts.push(info.attempt));
  await waitFor(() => attempts.length >= 4, 'four attempts');
  assert.equal(attempts.slice(0, 4), [1, 2, 3, 4], 'the count grows (no welcome resets it)');
  a.session.leave();
  const n = attempts.length;
  await new Promise((r) => setTimeout(r, 120));
  assert.is(attempts.length, n, 'no attempt after leave');
  assert.is(a.client.state, 'closed');
});

test('backoff schedule: 0, 300, 1200, 2700, 4800, 7000 ms then 7 s, with ±20 % jitter', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7, 20].map((n) => reconnectDelay(n, () => 0.5)), [0, 300, 1200, 2700, 4800, 7000, 7000, 7000]);
  assert.equal(RECONNECT_SCHEDULE_MS, [0, 300, 1200, 2700, 4800, 7000]);
  assert.is(reconnectDelay(4, () => 0), 2160);
  assert.is(reconnectDelay(4, () => 0.999999), 3240);
  assert.throws(() => reconnectDelay(0), TypeError);
});

test.run();
