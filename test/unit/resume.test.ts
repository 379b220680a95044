import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlaygroundServer } from '../../server/app';
import { HmacResumeTokens } from '../../server/resume-tokens';
import { parseClientMessage } from '../../src/signaling/protocol';
import { Relay } from '../../src/signaling/relay';
import { MemoryResumeTokens } from '../../src/signaling/resume';
import { startTestServer } from '../helpers/server';
import { WsClient } from '../helpers/ws-client';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

type Ctx = { server: PlaygroundServer; url: string; clients: WsClient[] };
const test = suite<Ctx>('resume tokens and grace period (real server)');

test.before(async (ctx) => {
  ctx.server = await startTestServer({ resumeGraceMs: 20_000 });
  ctx.url = `wss://127.0.0.1:${ctx.server.port}/ws`;
});
test.before.each((ctx) => {
  ctx.clients = [];
});
test.after.each((ctx) => {
  for (const c of ctx.clients) c.ws.terminate();
});
test.after(async (ctx) => {
  await ctx.server.close();
});

async function open(ctx: Ctx, url = ctx.url): Promise<WsClient> {
  const c = await WsClient.open(url);
  ctx.clients.push(c);
  return c;
}

/** Two peers in `room`; `a` has already consumed its `peer-joined`. */
async function pair(ctx: Ctx, room: string) {
  const a = await open(ctx);
  const wa = await a.join(room, { name: 'Ada' });
  const b = await open(ctx);
  const wb = await b.join(room, { name: 'Bob' });
  assert.is((await a.next()).type, 'peer-joined');
  return { a, wa, b, wb };
}

test('welcome carries a resume token bound to the id; a dropped peer resumes with the same id and nobody notices', async (ctx) => {
  const { a, wa, b, wb } = await pair(ctx, 'resume-1');
  assert.type(wb.resume, 'string');
  assert.ok((wb.resume ?? '').length >= 32, 'a long token');
  assert.is.not(wa.resume, wb.resume);
  assert.is(wb.resumed, undefined, 'a first join is not a resume');
  b.ws.terminate(); // a drop: no close frame (1006 on the server)
  assert.ok(await a.quiet(300), 'no peer-left inside the grace period');
  assert.ok(ctx.server.relay.held().includes(wb.id));
  a.send({ type: 'offer', to: wb.id, sdp: SDP }); // sent while b is away: kept for it
  const b2 = await open(ctx);
  const w2 = await b2.join('resume-1', { resume: wb.resume ?? '' });
  assert.is(w2.id, wb.id, 'same id back');
  assert.is(w2.resumed, true);
  assert.equal(w2.peers, [{ id: wa.id, name: 'Ada' }]);
  assert.equal(await b2.next(), { type: 'offer', from: wa.id, sdp: SDP }, 'the message sent while away arrives');
  assert.ok(await a.quiet(200), 'no peer-joined either');
  assert.not.ok(ctx.server.relay.held().includes(wb.id));
  b2.send({ type: 'answer', sdp: SDP });
  assert.equal(await a.next(), { type: 'answer', from: wb.id, sdp: SDP });
  assert.equal(ctx.server.relay.members('resume-1').map((m) => m.id).sort(), [wa.id, wb.id].sort());
});

test('a resume while the old connection is still open takes its place and closes it (4000)', async (ctx) => {
  const { a, wa, b, wb } = await pair(ctx, 'resume-2');
  const b2 = await open(ctx);
  const w2 = await b2.join('resume-2', { resume: wb.resume ?? '' });
  assert.is(w2.id, wb.id);
  assert.is((await b.closed).code, 4000);
  assert.ok(await a.quiet(200), 'the other peer saw nothing');
  a.send({ type: 'bye', to: wb.id, callId: 'call-id-1' });
  assert.equal(await b2.next(), { type: 'bye', from: wa.id, callId: 'call-id-1' });
});

test('forged, other-room and malformed tokens are a plain join; a non-string token is a bad message', async (ctx) => {
  const { a, wb } = await pair(ctx, 'resume-3');
  const token = wb.resume ?? '';
  const forged = [
    `${wb.id}.${'A'.repeat(32)}`, // the right id, a made-up signature
    `${token.slice(0, -2)}xx`, // one signature changed
    'not a token at all!',
  ];
  for (const resume of forged) {
    const c = await open(ctx);
    c.send({ type: 'join', room: 'resume-3b', resume });
    const w = await c.next();
    assert.is(w.type, 'welcome');
    if (w.type !== 'welcome') return;
    assert.is.not(w.id, wb.id, `forged token ${resume} gave a new id`);
    assert.is(w.resumed, undefined);
    c.send({ type: 'leave' });
  }
  // The right token in another room does not carry the id there.
  const c = await open(ctx);
  const w = await c.join('resume-3c', { resume: token });
  assert.is.not(w.id, wb.id);
  const bad = await open(ctx);
  bad.send({ type: 'join', room: 'resume-3', resume: 42 });
  const e = await bad.next();
  assert.is(e.type === 'error' && e.code, 'bad-message');
  assert.ok(await a.quiet(100));
});

test('a clean close (leave, or a close frame) tells the room peer-left at once', async (ctx) => {
  const { a, wb, b } = await pair(ctx, 'resume-4');
  b.ws.close(1000);
  assert.equal(await a.next(2000), { type: 'peer-left', id: wb.id });
  assert.not.ok(ctx.server.relay.held().includes(wb.id));
});

test('after the grace period: peer-left, the old id is gone, and its token is a plain join', async () => {
  const server = await startTestServer({ resumeGraceMs: 300 });
  const url = `wss://127.0.0.1:${server.port}/ws`;
  const clients: WsClient[] = [];
  try {
    const a = await WsClient.open(url);
    const b = await WsClient.open(url);
    clients.push(a, b);
    const wa = await a.join('late');
    const wb = await b.join('late');
    await a.next(); // peer-joined
    b.ws.terminate();
    assert.equal(await a.next(5000), { type: 'peer-left', id: wb.id });
    assert.equal(server.relay.members('late').map((m) => m.id), [wa.id]);
    const b2 = await WsClient.open(url);
    clients.push(b2);
    const w2 = await b2.join('late', { resume: wb.resume ?? '' });
    assert.is.not(w2.id, wb.id, 'expired: a new id');
    assert.is(w2.resumed, undefined);
    const joined = await a.next();
    assert.equal(joined, { type: 'peer-joined', peer: { id: w2.id } });
  } finally {
    for (const c of clients) c.ws.terminate();
    await server.close();
  }
});

test('a restarted server (same certificate, same port) gives both peers their ids back', async () => {
  let server = await startTestServer({ resumeGraceMs: 20_000 });
  const port = server.port;
  const url = `wss://127.0.0.1:${port}/ws`;
  const clients: WsClient[] = [];
  try {
    const a = await WsClient.open(url);
    const b = await WsClient.open(url);
    clients.push(a, b);
    const wa = await a.join('restart', { name: 'Ada' });
    const wb = await b.join('restart');
    await a.next();
    await server.close();
    await Promise.all([a.closed, b.closed]);
    server = await startTestServer({ resumeGraceMs: 20_000, port });
    const a2 = await WsClient.open(url);
    const b2 = await WsClient.open(url);
    clients.push(a2, b2);
    const wa2 = await a2.join('restart', { name: 'Ada', resume: wa.resume ?? '' });
    assert.is(wa2.id, wa.id);
    assert.is(wa2.resumed, true);
    const wb2 = await b2.join('restart', { resume: wb.resume ?? '' });
    assert.is(wb2.id, wb.id);
    assert.equal(wb2.peers, [{ id: wa.id, name: 'Ada' }]);
    // This process never saw b before, so it announces it (a client already knowing the id ignores it).
    assert.equal(await a2.next(), { type: 'peer-joined', peer: { id: wb.id } });
    a2.send({ type: 'offer', to: wb.id, sdp: SDP });
    assert.equal(await b2.next(), { type: 'offer', from: wa.id, sdp: SDP });
  } finally {
    for (const c of clients) c.ws.terminate();
    await server.close();
  }
});

test('tokens: HMAC tokens verify only for their id and room and survive a new issuer with the same secret', () => {
  const t1 = new HmacResumeTokens('0123456789abcdef0123456789abcdef');
  const t2 = new HmacResumeTokens('0123456789abcdef0123456789abcdef');
  const other = new HmacResumeTokens('another secret, also long enough');
  const token = t1.issue('k3J9x_2mQvB7pL0a', 'demo');
  assert.is(t2.verify(token, 'demo'), 'k3J9x_2mQvB7pL0a');
  assert.is(t1.verify(token, 'demo2'), null);
  assert.is(other.verify(token, 'demo'), null);
  assert.is(t1.verify(token.replace('k3J9', 'k3J8'), 'demo'), null);
  for (const junk of ['', '.', 'a.', '.b', 'x'.repeat(200), '...']) assert.is(t1.verify(junk, 'demo'), null);
  assert.throws(() => new HmacResumeTokens('short'), TypeError);
  const mem = new MemoryResumeTokens();
  const m = mem.issue('k3J9x_2mQvB7pL0a', 'demo');
  assert.is(mem.issue('k3J9x_2mQvB7pL0a', 'demo'), m);
  assert.is(mem.verify(m, 'demo'), 'k3J9x_2mQvB7pL0a');
  assert.is(mem.verify(m, 'other'), null);
  assert.is(new MemoryResumeTokens().verify(m, 'demo'), null);
});

test('in-page relay: the same rules without a server (memory tokens, injected transport)', async () => {
  const relay = new Relay({ resumeGraceMs: 10_000 });
  const inbox = { a: [] as string[], b: [] as string[], b2: [] as string[] };
  const a = relay.connect({ send: (t) => inbox.a.push(t) });
  const b = relay.connect({ send: (t) => inbox.b.push(t) });
  relay.receive(a, JSON.stringify({ type: 'join', room: 'x' }));
  relay.receive(b, JSON.stringify({ type: 'join', room: 'x' }));
  const token = (JSON.parse(inbox.b[0] ?? '{}') as { resume?: string }).resume ?? '';
  const bId = b.id;
  inbox.a.length = 0;
  relay.disconnect(b, { clean: false });
  const b2 = relay.connect({ send: (t) => inbox.b2.push(t) });
  relay.receive(b2, JSON.stringify({ type: 'join', room: 'x', resume: token }));
  assert.is(b2.id, bId);
  assert.equal(inbox.a, []);
  relay.disconnect(b2, { clean: false });
  relay.close(); // ends the grace at once
  assert.equal(inbox.a.map((t) => JSON.parse(t) as unknown), [{ type: 'peer-left', id: bId }]);
  assert.throws(() => new Relay({ resumeGraceMs: -1 }), TypeError);
});

test('protocol: join accepts an optional resume string; welcome parses resume and resumed', () => {
  const ok = parseClientMessage({ type: 'join', room: 'r', resume: 'abcdefghijklmnop.qrstuvwxyz012345' });
  assert.equal(ok.ok && ok.message, { type: 'join', room: 'r', resume: 'abcdefghijklmnop.qrstuvwxyz012345' });
  const odd = parseClientMessage({ type: 'join', room: 'r', resume: 'short' });
  assert.equal(odd.ok && odd.message, { type: 'join', room: 'r' });
  assert.is(parseClientMessage({ type: 'join', room: 'r', resume: null }).ok, false);
});

test.run();
