import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { textOf, type PlaygroundServer } from '../../server/app';
import type { ServerMessage } from '../../src/signaling/protocol';
import { startTestServer } from '../helpers/server';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

/** A ws client that queues every message, so tests can `await next()` in order. */
class Client {
  readonly ws: WebSocket;
  readonly inbox: ServerMessage[] = [];
  #waiters: ((m: ServerMessage) => void)[] = [];
  readonly closed: Promise<{ code: number }>;

  constructor(url: string, options: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { rejectUnauthorized: false, autoPong: options.autoPong ?? true });
    this.ws.on('message', (data) => {
      const m = JSON.parse(textOf(data)) as ServerMessage;
      const w = this.#waiters.shift();
      if (w) w(m);
      else this.inbox.push(m);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve({ code })));
  }
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }
  send(v: unknown): void {
    this.ws.send(typeof v === 'string' ? v : JSON.stringify(v));
  }
  next(timeout = 2000): Promise<ServerMessage> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no message within timeout')), timeout);
      this.#waiters.push((msg) => {
        clearTimeout(t);
        resolve(msg);
      });
    });
  }
  /**
   * Resolves once the server has handled everything this client sent so far: an unknown message
   * type gets its `error` reply in order on the same socket.
   * @throws Error when something else arrives first (then it was not handled as the test expected).
   */
  async roundTrip(): Promise<void> {
    this.send({ type: 'round-trip' });
    const m = await this.next();
    if (m.type !== 'error' || m.code !== 'bad-message') throw new Error(`expected the round-trip error reply, got ${JSON.stringify(m)}`);
  }
  /**
   * Whether nothing reached this client from what `senders` sent before: once the server has handled
   * their frames (their round trips), anything relayed to this client is already on its socket, ahead
   * of this client's own round-trip reply. No waiting on a clock.
   */
  async quiet(...senders: Client[]): Promise<boolean> {
    for (const s of senders) await s.roundTrip();
    if (this.inbox.length > 0) return false;
    await this.roundTrip();
    return true;
  }
}

type Ctx = { server: PlaygroundServer; wsUrl: string; clients: Client[] };
const test = suite<Ctx>('signaling server');

test.before(async (ctx) => {
  ctx.server = await startTestServer({ heartbeatMs: 200, resumeGraceMs: 300 });
  ctx.wsUrl = `wss://127.0.0.1:${ctx.server.port}/ws`;
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

async function connect(ctx: Ctx, opts?: { autoPong?: boolean }): Promise<Client> {
  const c = new Client(ctx.wsUrl, opts);
  ctx.clients.push(c);
  await c.open();
  return c;
}

async function joined(ctx: Ctx, room: string, name?: string): Promise<{ c: Client; id: string }> {
  const c = await connect(ctx);
  c.send(name ? { type: 'join', room, name } : { type: 'join', room });
  const w = await c.next();
  assert.is(w.type, 'welcome');
  return { c, id: w.type === 'welcome' ? w.id : '' };
}

test('join gets welcome with a server-made id; the room hears peer-joined', async (ctx) => {
  const a = await connect(ctx);
  a.send({ type: 'join', room: 'r1', name: 'Ada' });
  const wa = await a.next();
  assert.is(wa.type, 'welcome');
  if (wa.type !== 'welcome') return;
  assert.match(wa.id, /^[A-Za-z0-9_-]{16}$/);
  assert.equal(wa.peers, []);
  assert.is(wa.capacity, 2);
  const b = await connect(ctx);
  b.send({ type: 'join', room: 'r1' });
  const wb = await b.next();
  assert.equal(wb.type === 'welcome' && wb.peers, [{ id: wa.id, name: 'Ada' }]);
  assert.ok(wb.type === 'welcome' && wb.id !== wa.id);
  assert.equal(await a.next(), { type: 'peer-joined', peer: { id: wb.type === 'welcome' ? wb.id : '' } });
});

test('offer, answer, candidate and bye are relayed with from stamped by the server', async (ctx) => {
  const a = await joined(ctx, 'r2');
  const b = await joined(ctx, 'r2');
  await a.c.next(); // peer-joined
  a.c.send({ type: 'offer', to: b.id, sdp: SDP, from: 'forgedforged1234' });
  assert.equal(await b.c.next(), { type: 'offer', from: a.id, sdp: SDP });
  b.c.send({ type: 'answer', sdp: SDP });
  assert.equal(await a.c.next(), { type: 'answer', from: b.id, sdp: SDP });
  a.c.send({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
  assert.equal(await b.c.next(), { type: 'candidate', from: a.id, candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
  a.c.send({ type: 'candidate', candidate: null });
  assert.equal(await b.c.next(), { type: 'candidate', from: a.id, candidate: null });
  b.c.send({ type: 'answer', to: a.id, callId: 'call-one-1', sdp: SDP });
  assert.equal(await a.c.next(), { type: 'answer', from: b.id, callId: 'call-one-1', sdp: SDP });
  b.c.send({ type: 'bye', to: a.id, callId: 'call-one-1' });
  assert.equal(await a.c.next(), { type: 'bye', from: b.id, callId: 'call-one-1' });
});

test('step progress is relayed with from stamped; a bad one gets bad-message and disturbs no one', async (ctx) => {
  const a = await joined(ctx, 'r-progress');
  const b = await joined(ctx, 'r-progress');
  await a.c.next(); // peer-joined
  b.c.send({ type: 'progress', to: a.id, role: 'caller', done: ['caller-get-user-media'], running: 'caller-add-track', from: 'forgedforged1234' });
  assert.equal(await a.c.next(), { type: 'progress', from: b.id, role: 'caller', done: ['caller-get-user-media'], running: 'caller-add-track' });
  b.c.send({ type: 'progress', role: 'caller', done: ['caller-get-user-media', 'not-a-step'] });
  const e = await b.c.next();
  assert.is(e.type === 'error' && e.code, 'bad-message');
  assert.match(e.type === 'error' ? e.message : '', /unknown step id "not-a-step"/);
  assert.ok(await a.c.quiet(b.c), 'the other peer saw none of it');
  a.c.send({ type: 'progress', role: 'callee', done: [] });
  assert.equal(await b.c.next(), { type: 'progress', from: a.id, role: 'callee', done: [] });
});

test('a bye carries its call id; a bad or missing call id gets bad-message and disturbs no one', async (ctx) => {
  const a = await joined(ctx, 'r-bye');
  const b = await joined(ctx, 'r-bye');
  await a.c.next(); // peer-joined
  const bad: [unknown, RegExp][] = [
    [{ type: 'bye', to: a.id }, /"callId" must be a string/],
    [{ type: 'bye', to: a.id, callId: 12345678 }, /"callId" must be a string/],
    [{ type: 'bye', to: a.id, callId: 'c'.repeat(65) }, /"callId" is longer than 64/],
    [{ type: 'bye', callId: 'no spaces here' }, /"callId" has an invalid format/],
    [{ type: 'offer', to: a.id, callId: {}, sdp: SDP }, /"callId" must be a string/],
  ];
  for (const [frame, why] of bad) {
    b.c.send(frame);
    const e = await b.c.next();
    assert.is(e.type === 'error' && e.code, 'bad-message', JSON.stringify(frame));
    assert.match(e.type === 'error' ? e.message : '', why);
  }
  assert.ok(await a.c.quiet(b.c), 'the other peer saw none of it');
  b.c.send({ type: 'bye', to: a.id, callId: 'call-7-abcdefgh' });
  assert.equal(await a.c.next(), { type: 'bye', from: b.id, callId: 'call-7-abcdefgh' });
});

test('a client in another room receives nothing; unknown or cross-room targets get unknown-peer', async (ctx) => {
  const a = await joined(ctx, 'room-a');
  const other = await joined(ctx, 'room-b');
  a.c.send({ type: 'offer', sdp: SDP });
  a.c.send({ type: 'offer', to: other.id, sdp: SDP });
  const err = await a.c.next();
  assert.is(err.type === 'error' && err.code, 'unknown-peer');
  assert.ok(await other.c.quiet(a.c), 'the other room heard nothing');
});

test('a third joiner gets room-full and can still join another room', async (ctx) => {
  await joined(ctx, 'full');
  await joined(ctx, 'full');
  const c = await connect(ctx);
  c.send({ type: 'join', room: 'full' });
  const e = await c.next();
  assert.is(e.type === 'error' && e.code, 'room-full');
  c.send({ type: 'join', room: 'not-full' });
  assert.is((await c.next()).type, 'welcome');
});

test('bad JSON and bad shapes get typed errors; the socket stays usable and others are undisturbed', async (ctx) => {
  const a = await joined(ctx, 'bad');
  const b = await joined(ctx, 'bad');
  await a.c.next(); // peer-joined
  b.c.send('{not json');
  const e1 = await b.c.next();
  assert.equal(e1.type === 'error' && e1.code, 'bad-json');
  b.c.send({ type: 'offer', sdp: 42 });
  const e2 = await b.c.next();
  assert.equal(e2.type === 'error' && e2.code, 'bad-message');
  b.c.send({ type: 'nonsense' });
  assert.is((await b.c.next()).type, 'error');
  b.c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  const e3 = await b.c.next();
  assert.equal(e3.type === 'error' && e3.code, 'bad-message');
  b.c.send({ type: 'join', room: 'other' });
  const e4 = await b.c.next();
  assert.equal(e4.type === 'error' && e4.code, 'already-in-room');
  assert.ok(await a.c.quiet(b.c), 'the other peer saw none of it');
  b.c.send({ type: 'offer', sdp: SDP });
  assert.is((await a.c.next()).type, 'offer');
});

test('signals before join get not-in-room', async (ctx) => {
  const c = await connect(ctx);
  c.send({ type: 'offer', sdp: SDP });
  const e = await c.next();
  assert.is(e.type === 'error' && e.code, 'not-in-room');
  c.send({ type: 'leave' });
  const e2 = await c.next();
  assert.is(e2.type === 'error' && e2.code, 'not-in-room');
});

test('a 65 KiB frame closes the socket with 1009; the server keeps serving others', async (ctx) => {
  const c = await connect(ctx);
  c.send('x'.repeat(65 * 1024));
  const { code } = await c.closed;
  assert.is(code, 1009);
  const d = await joined(ctx, 'after-big');
  assert.ok(d.id);
});

test('leave and disconnect both send peer-left', async (ctx) => {
  const a = await joined(ctx, 'gone');
  const b = await joined(ctx, 'gone');
  await a.c.next();
  b.c.send({ type: 'leave' });
  assert.equal(await a.c.next(), { type: 'peer-left', id: b.id });
  const c = await joined(ctx, 'gone');
  await a.c.next(); // peer-joined
  c.c.ws.close();
  assert.equal(await a.c.next(), { type: 'peer-left', id: c.id });
  assert.equal(ctx.server.relay.members('gone').map((m) => m.id), [a.id]);
});

test('a client that stops answering pings is dropped and its room is told', async (ctx) => {
  const a = await joined(ctx, 'silent');
  const silent = new Client(ctx.wsUrl, { autoPong: false });
  ctx.clients.push(silent);
  await silent.open();
  silent.send({ type: 'join', room: 'silent' });
  const w = await silent.next();
  await a.c.next(); // peer-joined
  const left = await a.c.next(5000); // two heartbeats, then the 300 ms resume grace
  assert.equal(left, { type: 'peer-left', id: w.type === 'welcome' ? w.id : '' });
  assert.ok((await silent.closed).code !== 1000);
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('static serving: pages are served, traversal and the key file are refused', async ({ server }) => {
  const index = await get(server.port, '/');
  assert.is(index.status, 200);
  assert.match(index.body, /webrtc-playground/);
  assert.is((await get(server.port, '/call.html')).status, 200);
  assert.is((await get(server.port, '/js/call.js')).status, 200);
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/%2e%2e%2fpackage.json', '/..%2f..%2fetc/passwd', '/.cert/key.pem', '/../.cert/key.pem', '/%2e%2e/.cert/key.pem', '/js/../../server/cert.ts', '/key.pem']) {
    const r = await get(server.port, path);
    assert.is(r.status, 404, `${path} -> ${r.status}`);
    assert.not.match(r.body, /PRIVATE KEY|"dependencies"|root:/);
  }
});

test('a file removed while the server runs (a rebuild in npm run dev) is a 404, never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-static-'));
  writeFileSync(join(dir, 'chunk.js'), 'export {};');
  const server = await startTestServer({ staticDirs: [dir] });
  try {
    assert.is((await get(server.port, '/chunk.js')).status, 200);
    rmSync(join(dir, 'chunk.js'));
    assert.is((await get(server.port, '/chunk.js')).status, 404);
    assert.is((await get(server.port, '/')).status, 404);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
