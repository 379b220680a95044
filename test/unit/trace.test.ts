import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Peer, PeerEvents, PeerStates } from '../../src/rtc/peer';
import type { StatsSample } from '../../src/rtc/stats';
import { recordPeer, recordSignaling, replaySchedule, roomSide, Trace, UNKNOWN_CALL_ID, type TraceEntry } from '../../src/rtc/trace';
import { LoopbackTransport, SignalingClient } from '../../src/signaling/client';
import { Relay } from '../../src/signaling/relay';
import { Emitter } from '../../src/util/emitter';

const OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host generation 0', sdpMid: '0', sdpMLineIndex: 0 };
const rates = { outKbps: 500, inKbps: 480.5, fps: 20, width: 640, height: 480, packetsLost: 0, jitterMs: 3.2, codec: 'video/VP8' };
const SAMPLE: StatsSample = {
  video: rates,
  audio: { ...rates, fps: null, width: null, height: null, codec: 'audio/opus' },
  rttMs: 1.5,
  pair: { local: { address: '192.0.2.1', port: 50000, type: 'host', protocol: 'udp' }, remote: { address: '192.0.2.2', port: 50001, type: 'host', protocol: 'udp' } },
};

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

function fullTrace(): Trace {
  const c = clock();
  const trace = new Trace({ now: c.now, startedAt: new Date('2026-11-21T02:00:00.000Z') });
  trace.record({ kind: 'note', side: 'caller', text: 'createOffer' });
  c.advance(12.34);
  trace.record({ kind: 'signal', side: 'caller', direction: 'sent', message: { type: 'offer', to: 'peer-bbbbbbbb', sdp: OFFER } });
  c.advance(5);
  trace.record({ kind: 'signal', side: 'callee', direction: 'received', message: { type: 'offer', from: 'peer-aaaaaaaa', sdp: OFFER } });
  trace.record({ kind: 'state', side: 'callee', which: 'signalingState', value: 'have-remote-offer' });
  trace.record({ kind: 'candidate', side: 'caller', origin: 'local', candidate: CANDIDATE });
  trace.record({ kind: 'candidate', side: 'callee', origin: 'remote', candidate: null });
  c.advance(1000);
  trace.record({ kind: 'stats', side: 'caller', sample: SAMPLE });
  return trace;
}

test('record stamps entries with ms since the start and emits them', () => {
  const c = clock();
  const trace = new Trace({ now: c.now });
  const seen: TraceEntry[] = [];
  trace.on('entry', (e) => seen.push(e));
  c.advance(250.04);
  const e = trace.record({ kind: 'note', side: 'callee', text: 'hello' });
  assert.equal(e, { kind: 'note', side: 'callee', text: 'hello', t: 250 });
  assert.equal(seen, [e]);
  assert.equal(trace.entries, [e]);
});

test('export → JSON text → import gives the same entries (round trip)', () => {
  const trace = fullTrace();
  const text = JSON.stringify(trace.toJSON());
  const back = Trace.fromJSON(JSON.parse(text));
  assert.equal(back.entries, trace.entries);
  assert.is(back.startedAt.toISOString(), '2026-11-21T02:00:00.000Z');
  assert.equal(back.toJSON(), trace.toJSON());
  assert.is(trace.entries[1]?.t, 12.3);
  assert.is(trace.entries.length, 7);
});

test('a trace exported before byes named their call still imports: its bye gets the unknown call id; a bad call id is refused', () => {
  const good = fullTrace().toJSON();
  const entries = [
    { kind: 'signal', side: 'caller', t: 1, direction: 'sent', message: { type: 'bye', to: 'AbCdEfGh12345678' } },
    { kind: 'signal', side: 'callee', t: 2, direction: 'received', message: { type: 'bye', from: 'AbCdEfGh12345678' } },
  ];
  const back = Trace.fromJSON({ ...good, entries });
  assert.equal(back.entries.map((e) => (e.kind === 'signal' ? e.message : null)), [
    { type: 'bye', to: 'AbCdEfGh12345678', callId: UNKNOWN_CALL_ID },
    { type: 'bye', from: 'AbCdEfGh12345678', callId: UNKNOWN_CALL_ID },
  ]);
  const bad = { kind: 'signal', side: 'caller', t: 1, direction: 'sent', message: { type: 'bye', callId: 42 } };
  assert.throws(() => Trace.fromJSON({ ...good, entries: [bad] }), (err: unknown) => err instanceof TypeError && /callId/.test(err.message));
});

test('fromJSON refuses bad input with TypeError naming the problem', () => {
  const good = fullTrace().toJSON();
  const cases: [unknown, RegExp][] = [
    [null, /not a webrtc-playground-trace/],
    [{ ...good, format: 'other' }, /not a webrtc-playground-trace/],
    [{ ...good, version: 2 }, /version/],
    [{ ...good, startedAt: 'yesterday' }, /startedAt/],
    [{ ...good, entries: {} }, /entries/],
    [{ ...good, entries: [{ kind: 'note', side: 'caller', t: -1, text: 'x' }] }, /entry 0: "t"/],
    [{ ...good, entries: [{ kind: 'note', side: 'server', t: 1, text: 'x' }] }, /"side"/],
    [{ ...good, entries: [{ kind: 'bogus', side: 'caller', t: 1 }] }, /unknown kind/],
    [{ ...good, entries: [{ kind: 'signal', side: 'caller', t: 1, direction: 'sent', message: { type: 'offer', sdp: 'nope' } }] }, /sdp/],
    [{ ...good, entries: [{ kind: 'signal', side: 'caller', t: 1, direction: 'up', message: { type: 'leave' } }] }, /direction/],
    [{ ...good, entries: [{ kind: 'state', side: 'caller', t: 1, which: 'mood', value: 'ok' }] }, /which/],
    [{ ...good, entries: [{ kind: 'candidate', side: 'caller', t: 1, origin: 'local', candidate: { candidate: 5 } }] }, /candidate/],
    [{ ...good, entries: [{ kind: 'stats', side: 'caller', t: 1, sample: { ...SAMPLE, rttMs: 'fast' } }] }, /rttMs/],
    [{ ...good, entries: [{ kind: 'stats', side: 'caller', t: 1, sample: { ...SAMPLE, video: { ...rates, codec: 3 } } }] }, /video\.codec/],
  ];
  for (const [input, why] of cases) {
    assert.throws(() => Trace.fromJSON(input), (err: unknown) => err instanceof TypeError && why.test(err.message), JSON.stringify(input).slice(0, 120));
  }
});

test('recordSignaling records sent and received messages with the side at that moment', async () => {
  const relay = new Relay();
  const a = new SignalingClient(new LoopbackTransport(relay));
  const trace = new Trace();
  let side: 'caller' | 'callee' = 'callee';
  const stop = recordSignaling(trace, a, () => side);
  await new Promise<void>((r) => a.once('open', r));
  a.send({ type: 'join', room: 'trace' });
  await new Promise<void>((r) => a.once('message', () => r()));
  side = 'caller';
  a.send({ type: 'leave' });
  stop();
  a.send({ type: 'bye', callId: 'call-0001' });
  const kinds = trace.entries.map((e) => (e.kind === 'signal' ? `${e.side} ${e.direction} ${e.message.type}` : e.kind));
  assert.equal(kinds, ['callee sent join', 'callee received welcome', 'caller sent leave']);
  a.close();
});

test('a join is recorded once its reply tells whose it was: the first joiner\'s join is in the callee lane, at the time it was sent', async () => {
  const relay = new Relay();
  const a = new SignalingClient(new LoopbackTransport(relay));
  let now = 0;
  const trace = new Trace({ now: () => now });
  const side = roomSide(a, () => null);
  recordSignaling(trace, a, side);
  await new Promise<void>((r) => a.once('open', r));
  now = 10;
  a.send({ type: 'join', room: 'lanes' });
  assert.is(trace.entries.length, 0, 'held until the reply');
  now = 25;
  await new Promise<void>((r) => a.once('message', () => r()));
  assert.equal(trace.entries.map((e) => (e.kind === 'signal' ? `${e.t} ${e.side} ${e.direction} ${e.message.type}` : e.kind)), ['10 callee sent join', '25 callee received welcome']);
  a.close();
});

test('recordPeer records states, local candidates and applied (not queued) remote candidates', () => {
  const peer = new Emitter<PeerEvents>();
  const trace = new Trace();
  const stop = recordPeer(trace, peer as unknown as Peer, 'callee');
  const states: PeerStates = { signalingState: 'stable', iceGatheringState: 'gathering', iceConnectionState: 'new', connectionState: 'new' };
  peer.emit('statechange', 'iceGatheringState', states);
  peer.emit('localcandidate', { toJSON: () => CANDIDATE } as unknown as RTCIceCandidate);
  peer.emit('remotecandidate', CANDIDATE, true);
  peer.emit('remotecandidate', CANDIDATE, false);
  peer.emit('remotecandidate', null, false);
  stop();
  peer.emit('statechange', 'connectionState', states);
  const got = trace.entries.map(({ t: _t, ...rest }) => rest);
  assert.equal(got, [
    { kind: 'state', side: 'callee', which: 'iceGatheringState', value: 'gathering' },
    { kind: 'candidate', side: 'callee', origin: 'local', candidate: CANDIDATE },
    { kind: 'candidate', side: 'callee', origin: 'remote', candidate: CANDIDATE },
    { kind: 'candidate', side: 'callee', origin: 'remote', candidate: null },
  ]);
});

test('replaySchedule keeps the order and shortens pauses (stats pauses most)', () => {
  const entries = fullTrace().entries; // t: 0, 12.3, 17.3, 17.3, 17.3, 17.3, 1017.3 (stats)
  assert.equal(replaySchedule(entries), [0, 12.3, 17.3, 17.3, 17.3, 17.3, 67.3]);
  assert.equal(replaySchedule(entries, { maxGapMs: 5, maxStatsGapMs: 1 }), [0, 5, 10, 10, 10, 10, 11]);
  assert.equal(replaySchedule([]), []);
});

test('roomSide: the role when known, else callee after an empty-room welcome, caller after one with peers', async () => {
  const relay = new Relay();
  const a = new SignalingClient(new LoopbackTransport(relay));
  const b = new SignalingClient(new LoopbackTransport(relay));
  let role: 'caller' | 'callee' | null = null;
  const sideA = roomSide(a, () => role);
  const sideB = roomSide(b, () => null);
  await Promise.all([new Promise<void>((r) => a.once('open', r)), new Promise<void>((r) => b.once('open', r))]);
  assert.is(sideA(), 'caller');
  a.send({ type: 'join', room: 'side' });
  await new Promise<void>((r) => a.once('message', () => r()));
  assert.is(sideA(), 'callee');
  b.send({ type: 'join', room: 'side' });
  await new Promise<void>((r) => b.once('message', () => r()));
  assert.is(sideB(), 'caller');
  role = 'caller';
  assert.is(sideA(), 'caller');
  a.close();
  b.close();
});

test.run();
