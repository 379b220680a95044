// Cluster mode on a real redis-server: several signalers (port 0) share rooms through Redis.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ServerMessage } from '../../src/signaling/protocol';
import { processIdIn, SignalClient, spawnSignaler, startClusterNode, TEST_GRACE_MS, TEST_HEARTBEAT_MS, TEST_TTL_MS, type ClusterNode } from '../helpers/cluster';
import { startRedis, type TestRedis } from '../helpers/redis';
import { startTcpGate } from '../helpers/tcp-gate';
import { Redis } from 'ioredis';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

type Ctx = { redis: TestRedis; nodes: [ClusterNode, ClusterNode, ClusterNode]; clients: SignalClient[] };
const test = suite<Ctx>('cluster mode (Redis)');

test.before(async (ctx) => {
  ctx.redis = await startRedis();
  ctx.nodes = await Promise.all([startClusterNode(ctx.redis.url), startClusterNode(ctx.redis.url), startClusterNode(ctx.redis.url)]);
});
test.before.each((ctx) => {
  ctx.clients = [];
});
test.after.each((ctx) => {
  for (const c of ctx.clients) c.close();
});
test.after(async (ctx) => {
  await Promise.all(ctx.nodes.map((n) => n.server.close()));
  await ctx.redis.stop();
});

async function open(ctx: Ctx, node: { wsUrl: string }): Promise<SignalClient> {
  const c = await SignalClient.open(node.wsUrl);
  ctx.clients.push(c);
  return c;
}

function welcome(m: ServerMessage): Extract<ServerMessage, { type: 'welcome' }> {
  if (m.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(m)}`);
  return m;
}

test('join on process A and B: welcome lists the peer on the other process, which gets peer-joined', async (ctx) => {
  const [A, B] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  const wa = welcome(await a.joinReply('x-join', { name: 'Ada' }));
  assert.equal(wa.peers, []);
  assert.is(wa.capacity, 2);
  const wb = welcome(await b.joinReply('x-join', { name: 'Bob' }));
  assert.equal(wb.peers, [{ id: wa.id, name: 'Ada' }]);
  assert.equal(await a.next(), { type: 'peer-joined', peer: { id: wb.id, name: 'Bob' } });
  assert.is.not(wa.id, wb.id);
  assert.match(wa.id, /^[A-Za-z0-9_-]{16}$/);
});

test('relay both ways across processes, from stamped by the receiving process (a forged from is dropped)', async (ctx) => {
  const [A, B] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  const ida = welcome(await a.joinReply('x-relay')).id;
  const idb = welcome(await b.joinReply('x-relay')).id;
  await a.next(); // peer-joined
  a.send({ type: 'offer', to: idb, sdp: SDP, from: 'forged-id-123' });
  assert.equal(await b.next(), { type: 'offer', from: ida, sdp: SDP });
  b.send({ type: 'answer', sdp: SDP });
  assert.equal(await a.next(), { type: 'answer', from: idb, sdp: SDP });
  b.send({ type: 'candidate', to: ida, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } });
  assert.equal(await a.next(), { type: 'candidate', from: idb, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } });
  // Many frames in a row keep their order across processes.
  for (let i = 0; i < 50; i++) a.send({ type: 'candidate', to: idb, candidate: { candidate: `candidate:${i} 1 udp 1 127.0.0.1 9 typ host` } });
  for (let i = 0; i < 50; i++) {
    const m = await b.next();
    assert.ok(m.type === 'candidate' && m.candidate?.candidate.startsWith(`candidate:${i} `), JSON.stringify(m));
  }
});

test('isolation across processes: another room on a third process sees nothing and cannot be addressed', async (ctx) => {
  const [A, B, C] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  const c = await open(ctx, C);
  welcome(await a.joinReply('x-iso-1'));
  welcome(await b.joinReply('x-iso-1'));
  await a.next();
  const idc = welcome(await c.joinReply('x-iso-2')).id;
  a.send({ type: 'offer', sdp: SDP });
  assert.is((await b.next()).type, 'offer');
  a.send({ type: 'bye', to: idc, callId: 'call-id-1' });
  const refused = await a.next();
  assert.is(refused.type === 'error' && refused.code, 'unknown-peer');
  assert.ok(await c.nothingElse(), 'the other room received something');
});

test('room-full holds cluster-wide: three peers on three processes, the third is refused', async (ctx) => {
  const [A, B, C] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  const c = await open(ctx, C);
  welcome(await a.joinReply('x-full'));
  welcome(await b.joinReply('x-full'));
  const m = await c.joinReply('x-full');
  assert.is(m.type === 'error' && m.code, 'room-full');
  await a.next(); // b's peer-joined
  assert.ok(await a.nothingElse(), 'a refused join must not be announced');
});

test('simultaneous joins on three processes: exactly two get in (atomic capacity check)', async (ctx) => {
  for (let round = 0; round < 5; round++) {
    const clients = await Promise.all(ctx.nodes.map((n) => open(ctx, n)));
    const replies = await Promise.all(clients.map((c) => c.joinReply(`x-race-${round}`)));
    assert.is(replies.filter((r) => r.type === 'welcome').length, 2, JSON.stringify(replies));
    assert.is(replies.filter((r) => r.type === 'error' && r.code === 'room-full').length, 1);
  }
});

test('leave and closing a socket (1000) on one process: the peer on the other gets peer-left', async (ctx) => {
  const [A, B] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  welcome(await a.joinReply('x-left'));
  const idb = welcome(await b.joinReply('x-left')).id;
  await a.next();
  b.ws.close(1000);
  assert.equal(await a.next(), { type: 'peer-left', id: idb });
  // The room has room again.
  const c = await open(ctx, B);
  const idc = welcome(await c.joinReply('x-left')).id;
  await a.next();
  c.send({ type: 'leave' });
  assert.equal(await a.next(), { type: 'peer-left', id: idc });
});

test('per-process limits hold in cluster mode: max-rooms and max-connections count this process only', async (ctx) => {
  const [A] = ctx.nodes;
  const D = await startClusterNode(ctx.redis.url, { limits: { maxRooms: 1, maxConnections: 2 } });
  try {
    const d1 = await open(ctx, D);
    const d2 = await open(ctx, D);
    welcome(await d1.joinReply('x-limits-1'));
    const refused = await d2.joinReply('x-limits-2');
    assert.is(refused.type === 'error' && refused.code, 'too-many-rooms');
    // A room that already has a peer on D is no new room for D; another process opens rooms freely.
    const a = await open(ctx, A);
    welcome(await a.joinReply('x-limits-2'));
    welcome(await d2.joinReply('x-limits-1'));
    const third = await open(ctx, D);
    const m = await third.next();
    assert.is(m.type === 'error' && m.code, 'server-full');
  } finally {
    await D.server.close();
  }
});

test('a process shut down normally: its peers resume on another process with their ids, the room notices nothing', async (ctx) => {
  const [A, B] = ctx.nodes;
  const E = await startClusterNode(ctx.redis.url);
  const a = await open(ctx, A);
  const e = await open(ctx, E);
  const ida = welcome(await a.joinReply('x-drain')).id;
  const we = welcome(await e.joinReply('x-drain'));
  await a.next();
  const closed = new Promise<number>((resolve) => e.ws.once('close', (code) => resolve(code)));
  await E.server.close();
  assert.is(await closed, 1001);
  await E.waitForLog(/shutting down: 1 peer\(s\) held/);
  const e2 = await open(ctx, B);
  assert.is(welcome(await e2.joinReply('x-drain', { resume: we.resume })).id, we.id);
  a.send({ type: 'offer', sdp: SDP });
  assert.equal(await e2.next(), { type: 'offer', from: ida, sdp: SDP });
  const dead = processIdIn(E.log.join('\n'));
  await Promise.any(ctx.nodes.map((n) => n.waitForLog(new RegExp(`process\\(es\\) .*${dead}.* stopped beating`))));
  assert.ok(await a.nothingElse(), 'no peer-left for a peer that resumed elsewhere');
});

test('a killed process: its peers leave their rooms within TTL + heartbeat, the others get peer-left', async (ctx) => {
  const [A] = ctx.nodes;
  const child = await spawnSignaler(ctx.redis.url);
  try {
    const a = await open(ctx, A);
    const k = await open(ctx, { wsUrl: child.wsUrl });
    welcome(await a.joinReply('x-kill'));
    const idk = welcome(await k.joinReply('x-kill')).id;
    assert.is((await a.next()).type, 'peer-joined');
    const killedAt = Date.now();
    await child.kill();
    const bound = TEST_TTL_MS + TEST_HEARTBEAT_MS;
    // Generous slack for a loaded machine; the bound itself is what the message proves.
    assert.equal(await a.next(bound + 3000), { type: 'peer-left', id: idk });
    const took = Date.now() - killedAt;
    // Its key lives TTL after its last beat, and the child (`--redis-ttl`) beats every TTL / 3.
    const childBeat = Math.floor(TEST_TTL_MS / 3);
    assert.ok(took >= TEST_TTL_MS - childBeat, `peer-left came before the heartbeat could expire (${took} ms)`);
    // Whichever process beat first reaped it, and said so.
    const dead = processIdIn(child.output());
    await Promise.any(ctx.nodes.map((n) => n.waitForLog(new RegExp(`process\\(es\\) .*${dead}.* stopped beating; removed [1-9]`))));
    // Its seat is free again.
    const b = await open(ctx, ctx.nodes[1]);
    welcome(await b.joinReply('x-kill'));
  } finally {
    await child.kill();
  }
});

test('Redis restarted mid-call: processes reconnect by themselves, say so, rebuild the rooms; frames sent meanwhile arrive', async (ctx) => {
  const [A, B, C] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  const ida = welcome(await a.joinReply('x-restart')).id;
  const idb = welcome(await b.joinReply('x-restart')).id;
  await a.next();
  const before = ctx.nodes.map((n) => n.log.length);
  await ctx.redis.restart();
  await Promise.all([A, B].map((n) => n.waitForLog(/lost the connection to Redis/)));
  a.send({ type: 'offer', to: idb, sdp: SDP }); // sent while (or right after) Redis was down
  await Promise.all(ctx.nodes.map((n) => n.waitForLog(/reconnected to Redis/)));
  assert.ok(ctx.nodes.every((n, i) => n.log.length > (before[i] ?? Infinity)));
  assert.equal(await b.next(), { type: 'offer', from: ida, sdp: SDP });
  b.send({ type: 'answer', to: ida, sdp: SDP });
  assert.equal(await a.next(), { type: 'answer', from: idb, sdp: SDP });
  // The rebuilt room still holds its two peers: a third is refused (once the recovery window, one
  // TTL + 2 s after the last process came back, has ended: until then a join waits).
  const c = await open(ctx, C);
  c.send({ type: 'join', room: 'x-restart' });
  const m = await c.next(10_000);
  assert.is(m.type === 'error' && m.code, 'room-full');
  assert.ok(await a.nothingElse(), 'the restart must not announce peer-left/peer-joined');
});

test('a process back from a Redis restart after the others: what its peer missed meanwhile arrives, in order, once; a join meanwhile waits for it', async (ctx) => {
  const [A] = ctx.nodes;
  const gate = await startTcpGate(ctx.redis.port);
  const D = await startClusterNode(`redis://127.0.0.1:${gate.port}`);
  const probe = new Redis(ctx.redis.url, { lazyConnect: true, maxRetriesPerRequest: null });
  try {
    const a = await open(ctx, A);
    const d = await open(ctx, D);
    const ida = welcome(await a.joinReply('x-late')).id;
    const idd = welcome(await d.joinReply('x-late')).id;
    await a.next();
    gate.shut(); // D stays away from Redis until the gate opens
    await ctx.redis.restart();
    await A.waitForLog(/reconnected to Redis/);
    a.send({ type: 'offer', to: idd, sdp: SDP });
    a.send({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } });
    // Both were handled by A while D's peer was not back in Redis yet.
    await probe.connect();
    for (let i = 0; (await probe.llen('wp:recent:x-late')) < 2; i++) {
      assert.ok(i < 250, 'A kept the two frames for the missing peer');
      await new Promise((r) => setTimeout(r, 20));
    }
    // A third peer joining now must not get D's peer's place: its join waits for the recovery to end.
    const c = await open(ctx, A);
    c.send({ type: 'join', room: 'x-late' });
    gate.open();
    await D.waitForLog(/reconnected to Redis/);
    assert.equal(await d.next(), { type: 'offer', from: ida, sdp: SDP });
    assert.equal(await d.next(), { type: 'candidate', from: ida, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } });
    d.send({ type: 'answer', sdp: SDP });
    assert.equal(await a.next(), { type: 'answer', from: idd, sdp: SDP });
    a.send({ type: 'bye', callId: 'call-id-1' });
    assert.equal(await d.next(), { type: 'bye', from: ida, callId: 'call-id-1' }, 'nothing twice');
    const m = await c.next(10_000);
    assert.is(m.type === 'error' && m.code, 'room-full');
    assert.ok(await a.nothingElse(), 'no unknown-peer, no peer-left / peer-joined');
    assert.ok(await d.nothingElse());
  } finally {
    probe.disconnect();
    await D.server.close();
    await gate.close();
  }
});

test('a resume right after a Redis restart, before the old process is back: same id back once it is, the room notices nothing', async (ctx) => {
  const [A] = ctx.nodes;
  const gate = await startTcpGate(ctx.redis.port);
  const D = await startClusterNode(`redis://127.0.0.1:${gate.port}`);
  try {
    const a = await open(ctx, A);
    const d = await open(ctx, D);
    const ida = welcome(await a.joinReply('x-late-resume')).id;
    const wd = welcome(await d.joinReply('x-late-resume'));
    await a.next();
    gate.shut();
    await ctx.redis.restart();
    await A.waitForLog(/reconnected to Redis/);
    d.ws.terminate(); // dropped while its process is away from Redis
    const d2 = await open(ctx, A);
    d2.send({ type: 'join', room: 'x-late-resume', resume: wd.resume });
    // A tries the resume while D is still away (the place is not back), then D comes back.
    await new Promise((r) => setTimeout(r, 500));
    gate.open();
    const w2 = welcome(await d2.next(10_000));
    assert.is(w2.id, wd.id);
    assert.is(w2.resumed, true);
    assert.equal(w2.peers, [{ id: ida }]);
    a.send({ type: 'offer', sdp: SDP });
    assert.equal(await d2.next(), { type: 'offer', from: ida, sdp: SDP });
    assert.ok(await a.nothingElse(), 'no peer-left / peer-joined');
  } finally {
    await D.server.close();
    await gate.close();
  }
});

test('resume onto another process: same id back, held messages delivered, the room notices nothing', async (ctx) => {
  const [A, B, C] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  const ida = welcome(await a.joinReply('x-resume')).id;
  const wb = welcome(await b.joinReply('x-resume', { name: 'Bea' }));
  assert.ok(wb.resume, 'welcome carries a resume token');
  await a.next();
  b.ws.terminate(); // a drop, not a goodbye: B holds the place
  await B.waitForTrace('held', wb.id);
  a.send({ type: 'offer', to: wb.id, sdp: SDP }); // for b while it is away (kept in Redis)
  const b2 = await open(ctx, C);
  const w2 = welcome(await b2.joinReply('x-resume', { resume: wb.resume }));
  assert.is(w2.id, wb.id);
  assert.is(w2.resumed, true);
  assert.equal(w2.peers, [{ id: ida }]);
  assert.equal(await b2.next(), { type: 'offer', from: ida, sdp: SDP });
  b2.send({ type: 'answer', to: ida, sdp: SDP });
  assert.equal(await a.next(), { type: 'answer', from: wb.id, sdp: SDP });
  a.send({ type: 'bye', callId: 'call-id-1' });
  assert.equal(await b2.next(), { type: 'bye', from: ida, callId: 'call-id-1' });
  assert.ok(await a.nothingElse(), 'no peer-left / peer-joined for a resume');
  assert.equal(C.server.relay.members('x-resume').map((m) => m.id), [wb.id]);
  assert.equal(B.server.relay.members('x-resume'), [], 'the old process forgot the place');
});

test('resume while the old socket on another process is still open: it is closed (4000), the new one takes over', async (ctx) => {
  const [A, B] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  const ida = welcome(await a.joinReply('x-takeover')).id;
  const wb = welcome(await b.joinReply('x-takeover'));
  await a.next();
  const closed = new Promise<number>((resolve) => b.ws.once('close', (code) => resolve(code)));
  const b2 = await open(ctx, A);
  assert.is(welcome(await b2.joinReply('x-takeover', { resume: wb.resume })).id, wb.id);
  assert.is(await closed, 4000);
  a.send({ type: 'offer', sdp: SDP });
  assert.equal(await b2.next(), { type: 'offer', from: ida, sdp: SDP });
  assert.ok(await a.nothingElse());
});

test('a held place ends after the grace period (peer-left); a forged or other-room token is a plain join', async (ctx) => {
  const [A, B] = ctx.nodes;
  const a = await open(ctx, A);
  const b = await open(ctx, B);
  welcome(await a.joinReply('x-grace'));
  const wb = welcome(await b.joinReply('x-grace'));
  await a.next();
  const droppedAt = Date.now();
  b.ws.terminate();
  assert.equal(await a.next(TEST_GRACE_MS + 3000), { type: 'peer-left', id: wb.id });
  assert.ok(Date.now() - droppedAt >= TEST_GRACE_MS - 100, 'peer-left only after the grace period');
  const late = await open(ctx, B);
  const wl = welcome(await late.joinReply('x-grace', { resume: wb.resume }));
  assert.is.not(wl.id, wb.id, 'an expired place is not given back');
  assert.is.not(wl.resumed, true);
  const c = await open(ctx, A);
  const forged = `${wb.id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
  const wc = await c.joinReply('x-grace-2', { resume: forged });
  assert.is.not(welcome(wc).id, wb.id);
});

test('resume after the peer\'s process was killed: another process takes the place over before the reaper', async (ctx) => {
  const [A, B] = ctx.nodes;
  const child = await spawnSignaler(ctx.redis.url);
  try {
    const a = await open(ctx, A);
    const k = await open(ctx, { wsUrl: child.wsUrl });
    const ida = welcome(await a.joinReply('x-kill-resume')).id;
    const wk = welcome(await k.joinReply('x-kill-resume'));
    await a.next();
    await child.kill();
    const k2 = await open(ctx, B);
    assert.is(welcome(await k2.joinReply('x-kill-resume', { resume: wk.resume })).id, wk.id);
    const dead = processIdIn(child.output());
    await Promise.any(ctx.nodes.map((n) => n.waitForLog(new RegExp(`process\\(es\\) .*${dead}.* stopped beating`))));
    a.send({ type: 'offer', sdp: SDP });
    assert.equal(await k2.next(), { type: 'offer', from: ida, sdp: SDP });
    assert.ok(await a.nothingElse(), 'the reaper must not remove a place another process took over');
  } finally {
    await child.kill();
  }
});

test.run();
