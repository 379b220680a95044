/**
 * Every limit of the signaler, against a real server on port 0 with real `ws` clients: Origin,
 * rate limit (a flood vs a replayed Chromium call), caps with their typed refusals, heartbeat.
 * Backpressure is in signaler-backpressure.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlaygroundServer, PlaygroundServerOptions } from '../../server/app';
import type { ClientMessage } from '../../src/signaling/protocol';
import { ROOT, startTestServer } from '../helpers/server';
import { TestClient, type TestClientOptions } from '../helpers/test-client';

const CANDIDATE = { candidate: 'candidate:1 1 udp 2122194687 192.0.2.2 44241 typ host generation 0', sdpMid: '0', sdpMLineIndex: 0 };

/** Runs `body` with a fresh server (options as given) and closes it and every client after. */
async function withServer(options: Partial<PlaygroundServerOptions>, body: (s: PlaygroundServer, connect: (o?: TestClientOptions) => Promise<TestClient>, raw: (o?: TestClientOptions) => TestClient) => Promise<void>): Promise<void> {
  const server = await startTestServer(options);
  const clients: TestClient[] = [];
  const raw = (o?: TestClientOptions) => {
    const c = new TestClient(`wss://127.0.0.1:${server.port}/ws`, o);
    clients.push(c);
    return c;
  };
  const connect = async (o?: TestClientOptions) => {
    const c = raw(o);
    await c.open();
    return c;
  };
  try {
    await body(server, connect, raw);
  } finally {
    for (const c of clients) c.ws.terminate();
    await server.close();
  }
}

test('Origin: another site is refused at the upgrade (403) with a log line; own origin, allowed origins and no Origin get in', async () => {
  const logs: string[] = [];
  await withServer({ allowOrigins: ['https://class.example.org'], log: (l) => logs.push(l) }, async (server, connect, raw) => {
    const evil = raw({ origin: 'https://evil.example' });
    assert.is(await evil.opened, 403);
    assert.is(server.stats().connections, 0, 'no WebSocket was opened for it');
    assert.is(logs.length, 1);
    assert.match(logs[0] ?? '', /Origin "https:\/\/evil\.example" \(403\).*--allow-origin https:\/\/evil\.example/);
    assert.is(await raw({ origin: `https://localhost:${server.port + 1}` }).opened, 403, 'same host, other port');
    for (const origin of [`https://localhost:${server.port}`, `https://127.0.0.1:${server.port}`, 'https://class.example.org', undefined]) {
      const c = await connect(origin ? { origin } : {});
      assert.ok(await c.join(`origin-${String(origin).length}`), `${origin} joined`);
    }
  });
});

test('rate limit: a flood gets rate-limited errors, then is closed with 1008; the room hears peer-left and far less than was sent', async () => {
  await withServer({}, async (server, connect) => {
    const victim = await connect();
    await victim.join('flood');
    const flooder = await connect();
    await flooder.join('flood');
    await victim.nextOf('peer-joined');
    const frame = JSON.stringify({ type: 'candidate', candidate: CANDIDATE });
    for (let i = 0; i < 2000 && flooder.ws.readyState === flooder.ws.OPEN; i++) flooder.ws.send(frame);
    const { code } = await flooder.closed;
    assert.is(code, 1008);
    const errors = flooder.inbox.filter((m) => m.type === 'error');
    assert.ok(errors.length > 0 && errors.every((m) => m.type === 'error' && m.code === 'rate-limited'), 'typed rate-limited errors');
    await victim.nextOf('peer-left');
    const relayed = victim.inbox.length + 1;
    assert.ok(relayed <= server.limits.messageBurst + 20, `only about a burst got through (${relayed})`);
    assert.is(server.stats().closedRateLimit, 1);
  });
});

test('rate limit: join/leave churn counts (a room change costs more than a signal)', async () => {
  await withServer({}, async (_server, connect) => {
    const c = await connect();
    let limitedAt = -1;
    for (let i = 0; i < 200 && limitedAt < 0; i++) {
      c.send({ type: 'join', room: `churn-${i}` });
      const m = await c.next();
      if (m.type === 'error' && m.code === 'rate-limited') limitedAt = i;
      else c.send({ type: 'leave' });
    }
    assert.ok(limitedAt > 0 && limitedAt < 20, `limited after ${limitedAt} join/leave pairs`);
  });
});

interface Recorded { t: number; side: 'A' | 'B'; message: ClientMessage & { to?: string } }

test('rate limit: a recorded Chromium call, replayed three times back to back without its pauses, is never limited', async () => {
  const call = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'chromium-call.json'), 'utf8')) as Recorded[];
  await withServer({}, async (_server, connect) => {
    const a = await connect();
    const b = await connect();
    const ids = { A: '', B: '' };
    const sent = { A: 0, B: 0 };
    for (let round = 0; round < 3; round++) {
      for (const { side, message } of call) {
        const c = side === 'A' ? a : b;
        if (message.type === 'join') {
          if (round > 0) continue;
          ids[side] = await c.join('replay');
          continue;
        }
        const m = message.to === undefined ? message : { ...message, to: ids[message.to === 'A' ? 'A' : 'B'] };
        c.send(m);
        sent[side]++;
      }
    }
    const expect = async (c: TestClient, count: number) => {
      let signals = 0;
      while (signals < count) {
        const m = await c.next();
        assert.not.equal(m.type, 'error', JSON.stringify(m));
        if (m.type === 'offer' || m.type === 'answer' || m.type === 'candidate') signals++;
      }
    };
    await expect(b, sent.A);
    await expect(a, sent.B);
    assert.ok(await quiet(a) && await quiet(b), 'no error came later');
  });
});

async function quiet(c: TestClient, ms = 200): Promise<boolean> {
  await new Promise((r) => setTimeout(r, ms));
  return c.inbox.length === 0;
}

test('caps: server-full and too-many-connections are typed refusals closed with 1013; a freed slot is reused', async () => {
  await withServer({ limits: { maxConnections: 3, maxConnectionsPerAddress: 2 } }, async (server, connect) => {
    const first = await connect();
    await connect();
    const third = await connect();
    assert.equal(await third.next(), { type: 'error', code: 'too-many-connections', message: 'too many connections from your address; close other tabs and try again' });
    assert.is((await third.closed).code, 1013);
    first.ws.close();
    await first.closed;
    await waitFor(() => server.stats().connections === 1);
    const again = await connect();
    assert.ok(await again.join('after-free'), 'the freed slot is usable');
  });
  await withServer({ limits: { maxConnections: 2 }, trustProxy: true }, async (_server, connect) => {
    await connect({ headers: { 'X-Forwarded-For': '198.51.100.1' } });
    await connect({ headers: { 'X-Forwarded-For': '198.51.100.2' } });
    const c = await connect({ headers: { 'X-Forwarded-For': '198.51.100.3' } });
    const m = await c.next();
    assert.is(m.type === 'error' && m.code, 'server-full');
    assert.is((await c.closed).code, 1013);
  });
});

test('caps: per address counts X-Forwarded-For only with trust-proxy', async () => {
  for (const trustProxy of [false, true]) {
    await withServer({ limits: { maxConnectionsPerAddress: 1 }, trustProxy }, async (_server, connect) => {
      await connect({ headers: { 'X-Forwarded-For': '198.51.100.1' } });
      const second = await connect({ headers: { 'X-Forwarded-For': '198.51.100.2' } });
      if (trustProxy) {
        assert.ok(await second.join('behind-proxy'), 'two clients behind the proxy are two addresses');
      } else {
        const m = await second.next();
        assert.is(m.type === 'error' && m.code, 'too-many-connections', 'a client cannot dodge the cap with a header');
      }
    });
  }
});

test('caps: too-many-rooms when a join would open one room too many; existing rooms still take peers', async () => {
  await withServer({ limits: { maxRooms: 2 } }, async (server, connect) => {
    const a = await connect();
    await a.join('one');
    await (await connect()).join('two');
    const c = await connect();
    c.send({ type: 'join', room: 'three' });
    const m = await c.next();
    assert.is(m.type === 'error' && m.code, 'too-many-rooms');
    assert.ok(await c.join('one'), 'an existing room still takes a peer');
    a.send({ type: 'leave' });
    c.send({ type: 'leave' });
    await waitFor(() => server.relay.rooms().length === 1);
    assert.ok(await (await connect()).join('three'), 'an emptied room frees its slot');
  });
});

test('heartbeat: a silent peer is dropped within two intervals and its room is told (resume grace off)', async () => {
  await withServer({ heartbeatMs: 150, resumeGraceMs: 0 }, async (server, connect) => {
    const a = await connect();
    await a.join('hb');
    const silent = await connect({ autoPong: false });
    const id = await silent.join('hb');
    const at = server.stats().heartbeats;
    await a.nextOf('peer-joined');
    const left = await a.nextOf('peer-left', 10_000);
    assert.is(left.id, id);
    const rounds = server.stats().heartbeats - at;
    assert.ok(rounds <= 2, `dropped after ${rounds} heartbeat rounds`);
    assert.ok(await quiet(a, 400), 'the answering peer stays');
    assert.is(server.stats().closedHeartbeat, 1);
  });
});

async function waitFor(check: () => boolean, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test.run();
