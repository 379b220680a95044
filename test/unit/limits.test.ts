import type { IncomingMessage } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clientAddress, ConnectionLimits, DEFAULT_LIMITS, frameCost, SocketRateLimit, TokenBucket } from '../../server/limits';
import { createOriginPolicy, normalizeOrigin } from '../../server/origin';
import { explainError } from '../../src/errors/explain';
import { ERROR_CODES } from '../../src/signaling/protocol';

test('token bucket: a burst, then the refill rate; never more than the burst', () => {
  let now = 0;
  const b = new TokenBucket(10, 5, () => now);
  for (let i = 0; i < 5; i++) assert.ok(b.take(), `token ${i}`);
  assert.not.ok(b.take(), 'burst used up');
  now += 100; // 10/s → one token per 100 ms
  assert.ok(b.take());
  assert.not.ok(b.take());
  now += 60_000;
  for (let i = 0; i < 5; i++) assert.ok(b.take());
  assert.not.ok(b.take(), 'a long pause refills only up to the burst');
  assert.not.ok(b.take(6), 'a cost above the burst never passes');
  assert.throws(() => new TokenBucket(0, 5), TypeError);
  assert.throws(() => new TokenBucket(1, Number.NaN), TypeError);
});

test('rate limit: ok, then limited, then close once the patience is used up', () => {
  let now = 0;
  const r = new SocketRateLimit({ messagesPerSecond: 1, messageBurst: 2, rateLimitPatience: 3 }, () => now);
  assert.equal([r.charge(1), r.charge(1), r.charge(1), r.charge(1), r.charge(1), r.charge(1)], ['ok', 'ok', 'limited', 'limited', 'limited', 'close']);
  now += 10_000;
  assert.is(r.charge(1), 'ok', 'a client that slowed down is served again');
  assert.is(frameCost(100), 1);
  assert.is(frameCost(64 * 1024), 5, 'a 64 KiB frame costs more than a candidate');
});

test('connection limits: total and per address, released on close', () => {
  const l = new ConnectionLimits({ maxConnections: 3, maxConnectionsPerAddress: 2 });
  assert.is(l.admit('1.1.1.1'), null);
  assert.is(l.admit('1.1.1.1'), null);
  assert.is(l.admit('1.1.1.1'), 'too-many-connections');
  assert.is(l.admit('2.2.2.2'), null);
  assert.is(l.admit('3.3.3.3'), 'server-full');
  assert.is(l.total, 3);
  l.release('1.1.1.1');
  assert.is(l.count('1.1.1.1'), 1);
  assert.is(l.admit('3.3.3.3'), null);
  l.release('nobody');
  assert.is(l.total, 3, 'releasing an unknown address changes nothing');
});

function req(remote: string, xff?: string): IncomingMessage {
  return { socket: { remoteAddress: remote }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } } as unknown as IncomingMessage;
}

test('client address: X-Forwarded-For only with trust-proxy, its last valid entry', () => {
  assert.is(clientAddress(req('::ffff:127.0.0.1'), false), '127.0.0.1');
  assert.is(clientAddress(req('10.0.0.1', '203.0.113.9'), false), '10.0.0.1', 'a client cannot pick its address');
  assert.is(clientAddress(req('10.0.0.1', '1.2.3.4, 203.0.113.9'), true), '203.0.113.9', 'the proxy appended the real one last');
  assert.is(clientAddress(req('10.0.0.1', 'garbage'), true), '10.0.0.1');
  assert.is(clientAddress(req('10.0.0.1'), true), '10.0.0.1');
  assert.is(clientAddress(req('10.0.0.1', '2001:db8::1'), true), '2001:db8::1');
});

test('origins: normalised like browsers send them; own origins, extras and no Origin allowed', () => {
  assert.is(normalizeOrigin('https://Class.Example.org:443/path'), 'https://class.example.org');
  assert.is(normalizeOrigin('ftp://x'), null);
  assert.is(normalizeOrigin('not a url'), null);
  const p = createOriginPolicy({ port: 8443, allow: ['https://class.example.org'] });
  assert.ok(p.allows(undefined), 'no Origin (a script) is allowed');
  assert.ok(p.allows('https://localhost:8443'));
  assert.ok(p.allows('https://127.0.0.1:8443'));
  assert.ok(p.allows('https://[::1]:8443'));
  assert.ok(p.allows('https://class.example.org'));
  assert.not.ok(p.allows('https://localhost:9999'), 'another port is another origin');
  assert.not.ok(p.allows('http://localhost:8443'), 'another scheme is another origin');
  assert.not.ok(p.allows('https://evil.example'));
  assert.not.ok(p.allows('null'), 'an opaque origin (file://, sandboxed iframe)');
  assert.ok(createOriginPolicy({ port: 1, allow: ['*'] }).allows('https://anything.example'));
  assert.throws(() => createOriginPolicy({ port: 1, allow: ['example.org'] }), TypeError);
});

test('explain.ts explains every signaling error code in its own words', () => {
  const titles = new Set<string>();
  for (const code of ERROR_CODES) {
    const ex = explainError({ code, message: `raw ${code}` }, 'signaling');
    assert.is(ex.name, code);
    assert.not.match(ex.title, /Something went wrong/, code);
    assert.ok(ex.detail.length > 40, `${code} has a plain-words detail`);
    titles.add(ex.title);
  }
  assert.is(titles.size, ERROR_CODES.length);
  assert.match(explainError({ code: 'too-many-connections' }, 'signaling').detail, /--max-connections-per-address/);
  assert.match(explainError({ code: 'rate-limited' }, 'signaling').detail, /disconnected/);
});

test('defaults: a recorded Chromium call fits the burst several times over', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { ROOT } = await import('../helpers/server');
  const call = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'chromium-call.json'), 'utf8')) as { side: string }[];
  const perSide = Math.max(...['A', 'B'].map((s) => call.filter((m) => m.side === s).length));
  assert.ok(perSide >= 10, 'the recording holds a real exchange');
  assert.ok(perSide * 4 <= DEFAULT_LIMITS.messageBurst, `${perSide} messages per side, burst ${DEFAULT_LIMITS.messageBurst}`);
});

test.run();
