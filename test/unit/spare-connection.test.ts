/**
 * The spare RTCPeerConnection (src/rtc/spare-connection.ts) with fake connections: pre-gathers
 * without ICE servers only, taken by the next connection of the same configuration, closed and
 * replaced for another one; with the tracks of a side that will answer, taken by the offer, or by
 * a call this side makes after all (which offers although its negotiationneeded fired unheard).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keepSpare, negotiationMissed, SpareConnection, SPARE_POOL_SIZE } from '../../src/rtc/spare-connection';
import { FakeServer, makeSide, waitFor } from '../helpers/call-harness';
import { FakeNetwork } from '../helpers/fake-network';

test('a spare is taken by the same configuration; one for another configuration is not used and is closed', () => {
  const net = new FakeNetwork();
  const spare = new SpareConnection(net.factory);
  spare.prepare({ iceServers: [] });
  assert.ok(spare.ready);
  const made = net.peers.at(-1);
  assert.is(made?.configuration.iceCandidatePoolSize, SPARE_POOL_SIZE, 'no ICE servers: host candidates gathered ahead');
  const pc = spare.factory({ iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }] });
  assert.ok(pc !== (made as unknown as RTCPeerConnection), 'a new connection for the other configuration');
  assert.is(made?.signalingState, 'closed', 'the unused spare was closed');
  assert.not.ok(spare.ready);
  spare.prepare({ iceServers: [] });
  const again = net.peers.at(-1);
  assert.is(spare.factory({ iceServers: [] }), again as unknown as RTCPeerConnection, 'the same configuration takes the spare');
  const turn = { iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }] };
  spare.prepare(turn);
  assert.is(net.peers.at(-1)?.configuration.iceCandidatePoolSize, undefined, 'with a TURN server: no allocation ahead');
  spare.dispose();
});

test('a spare for a side that only answers has its tracks ahead: the offer uses them, none is added twice, no offer of its own', async () => {
  const net = new FakeNetwork();
  const server = new FakeServer();
  const tracks = (): MediaStream => {
    const list = [{ kind: 'audio' }, { kind: 'video' }] as unknown as MediaStreamTrack[];
    return { getTracks: () => list } as unknown as MediaStream;
  };
  const calleeStream = tracks();
  const spare = new SpareConnection(net.factory);
  const callee = makeSide(server, net, 'answer-with', { localStream: () => calleeStream, peerConnectionFactory: spare.factory });
  await waitFor(() => callee.session.roomState === 'joined', 'callee joined');
  spare.prepare({ iceServers: [] }, calleeStream);
  const made = net.peers.at(-1);
  assert.is(made?.getSenders().length, 2, 'the tracks are in the spare before any offer');
  const caller = makeSide(server, net, 'answer-with', { localStream: tracks });
  await waitFor(() => callee.session.callState === 'connected' && caller.session.callState === 'connected', 'both connected');
  assert.is(callee.pc(), made, 'the offer took the spare');
  assert.is(made?.getSenders().length, 2, 'the negotiator added no track a second time');
  assert.equal(made?.getSenders().map((s) => (s as { track: { kind: string } }).track.kind), ['audio', 'video']);
  assert.is(callee.session.role, 'callee', 'the spare made no offer of its own (no glare: the caller stayed the caller)');
  callee.session.close();
  caller.session.close();
});

/** A local stream of one audio and one video track (fakes). */
function tracks(): MediaStream {
  const list = [{ kind: 'audio' }, { kind: 'video' }] as unknown as MediaStreamTrack[];
  return { getTracks: () => list } as unknown as MediaStream;
}

test('a call made with a spare that has the tracks offers once, although the spare fired negotiationneeded before the call listened', async () => {
  const net = new FakeNetwork();
  const server = new FakeServer();
  const callee = makeSide(server, net, 'offer-with', { localStream: tracks });
  await waitFor(() => callee.session.roomState === 'joined', 'callee joined');
  const callerStream = tracks();
  const spare = new SpareConnection(net.factory);
  spare.prepare({ iceServers: [] });
  spare.prepare({ iceServers: [] }, callerStream); // the camera opened after the spare was made
  const made = net.peers.at(-1);
  assert.is(made?.getSenders().length, 2, 'the tracks went into the spare made before');
  await waitFor(() => negotiationMissed(made as unknown as RTCPeerConnection), 'negotiationneeded fired while nobody listened');
  const caller = makeSide(server, net, 'offer-with', { localStream: () => callerStream, peerConnectionFactory: spare.factory });
  const offers: string[] = [];
  caller.session.on('control', (direction, message) => {
    if (direction === 'sent' && message.type === 'offer') offers.push(message.callId ?? '');
  });
  await waitFor(() => callee.session.callState === 'connected' && caller.session.callState === 'connected', 'both connected');
  assert.is(caller.pc(), made, 'the caller took the spare');
  assert.is(caller.session.role, 'caller');
  assert.is(offers.length, 1, 'one offer: the missed negotiationneeded was made up for, once');
  assert.is(made?.getSenders().length, 2, 'no track added twice');
  assert.ok(made?.channels.some((c) => c.label === 'playground'), 'the chat data channel was added');
  callee.session.close();
  caller.session.close();
});

test('keepSpare: the spare has the tracks while the side is alone in its room (whoever joins calls it), and again when it is alone after a call', async () => {
  const net = new FakeNetwork();
  const server = new FakeServer();
  const stream = tracks();
  const spare = new SpareConnection(net.factory);
  spare.prepare({ iceServers: [] }); // the page makes it at Join, before the camera opens
  const first = net.peers.at(-1);
  const alone = makeSide(server, net, 'keep', { localStream: () => stream, peerConnectionFactory: spare.factory });
  keepSpare(alone.session, spare, () => ({ iceServers: [] }), () => stream);
  await waitFor(() => alone.session.roomState === 'joined', 'joined');
  assert.is(first?.getSenders().length, 2, 'alone in the room: the tracks are in the spare');
  const other = makeSide(server, net, 'keep', { localStream: tracks });
  await waitFor(() => alone.session.callState === 'connected' && other.session.callState === 'connected', 'both connected');
  assert.is(alone.pc(), first, 'the offer took the spare');
  assert.is(alone.session.role, 'callee');
  other.session.close(); // the other side leaves: alone again
  await waitFor(() => alone.session.callState === 'idle' && spare.ready && net.peers.at(-1)?.getSenders().length === 2, 'a new spare with the tracks');
  alone.session.close();
  assert.not.ok(spare.ready, 'leaving the room closed the spare');
});

test.run();
