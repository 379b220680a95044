/**
 * The spare RTCPeerConnection (src/rtc/spare-connection.ts) with fake connections: pre-gathers
 * without ICE servers only, taken by the next connection of the same configuration, closed and
 * replaced for another one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpareConnection, SPARE_POOL_SIZE } from '../../src/rtc/spare-connection';
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

test.run();
