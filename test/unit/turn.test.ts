import { createHmac } from 'node:crypto';
import { request } from 'node:https';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_TURN_TTL_S,
  hostFromHeader,
  makeTurnCredentials,
  turnPassword,
  turnUris,
  turnUsernameExpiry,
  type TurnCredentials,
} from '../../server/turn';
import { must } from '../helpers/must';
import { startTestServer } from '../helpers/server';

const test = suite('TURN REST credentials');

test('password is base64 HMAC-SHA1: RFC 2202 test case 2 and an openssl-computed TURN username', () => {
  // RFC 2202 §3 test case 2: key "Jefe", data "what do ya want for nothing?",
  // digest effcdf6ae5eb2fa2d27416d5f184df9c259a7c79 → base64 below.
  assert.is(turnPassword('Jefe', 'what do ya want for nothing?'), '7/zfauXrL6LSdBbV8YTfnCWafHk=');
  // echo -n "1700003600:alice" | openssl dgst -sha1 -hmac north-star-secret -binary | base64
  assert.is(turnPassword('north-star-secret', '1700003600:alice'), 'Dup6ClDoAdRALsjkgQhupoARTRI=');
});

test('credentials: username "<now + ttl>:<user>", password from the username, TTL and URIs echoed', () => {
  const c = makeTurnCredentials('north-star-secret', ['turn:127.0.0.1:3478?transport=udp'], { now: 1_700_000_000_400, user: 'alice' });
  assert.equal(c, {
    username: '1700003600:alice',
    password: 'Dup6ClDoAdRALsjkgQhupoARTRI=',
    ttl: DEFAULT_TURN_TTL_S,
    uris: ['turn:127.0.0.1:3478?transport=udp'],
  });
  assert.is(DEFAULT_TURN_TTL_S, 3600);
});

test('expiry follows the configured TTL; random users differ and never contain ":"', () => {
  const now = 1_800_000_000_000;
  const short = makeTurnCredentials('s', [], { now, ttl: 60 });
  assert.is(turnUsernameExpiry(short.username), 1_800_000_060);
  assert.is(short.ttl, 60);
  const day = makeTurnCredentials('s', [], { now, ttl: 86_400 });
  assert.is(turnUsernameExpiry(day.username), 1_800_086_400);
  const a = makeTurnCredentials('s', [], { now });
  const b = makeTurnCredentials('s', [], { now });
  assert.is.not(a.username, b.username);
  assert.is(a.username.split(':').length, 2);
  assert.is(a.password, createHmac('sha1', 's').update(a.username).digest('base64'));
  assert.is(turnUsernameExpiry('alice'), null);
});

test('bad secret, TTL or user are TypeErrors', () => {
  assert.throws(() => turnPassword('', 'x'), (e: unknown) => e instanceof TypeError);
  for (const ttl of [0, -1, 1.5, Number.NaN, 8 * 24 * 3600]) {
    assert.throws(() => makeTurnCredentials('s', [], { ttl }), (e: unknown) => e instanceof TypeError, `ttl ${ttl}`);
  }
  assert.throws(() => makeTurnCredentials('s', [], { user: 'a:b' }), (e: unknown) => e instanceof TypeError);
});

test('URIs: UDP and TCP on the managed port; page host used when coturn listens everywhere; Host header validated', () => {
  assert.equal(turnUris({ kind: 'managed', host: '127.0.0.1', port: 3478 }, 'evil.example'), [
    'turn:127.0.0.1:3478?transport=udp',
    'turn:127.0.0.1:3478?transport=tcp',
  ]);
  assert.equal(turnUris({ kind: 'managed', host: null, port: 3478 }, '192.168.1.20'), [
    'turn:192.168.1.20:3478?transport=udp',
    'turn:192.168.1.20:3478?transport=tcp',
  ]);
  assert.equal(turnUris({ kind: 'managed', host: null, port: 3478 }, 'localhost')[0], 'turn:127.0.0.1:3478?transport=udp');
  assert.equal(turnUris({ kind: 'managed', host: '::1', port: 9 }, null)[0], 'turn:[::1]:9?transport=udp');
  assert.equal(turnUris({ kind: 'external', urls: ['turns:turn.example.org:443'] }, 'x'), ['turns:turn.example.org:443']);
  assert.is(hostFromHeader('laptop.local:8443'), 'laptop.local');
  assert.is(hostFromHeader('[fd00::5]:8443'), '[fd00::5]');
  assert.is(hostFromHeader('10.0.0.2'), '10.0.0.2');
  for (const bad of [undefined, '', 'a b', 'x?y', 'host:port', '<script>', 'a'.repeat(400), 'x/../y']) {
    assert.is(hostFromHeader(bad), null, String(bad));
  }
});

function get(url: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('GET /api/turn is 404 when TURN is off, and not cached', async () => {
  const server = await startTestServer();
  try {
    const res = await get(`${server.url}api/turn`);
    assert.is(res.status, 404);
    assert.is(res.headers['cache-control'], 'no-store');
    assert.is((JSON.parse(res.body) as { error: string }).error, 'turn-off');
    const optional = await get(`${server.url}api/turn?optional`);
    assert.is(optional.status, 204, 'the pages ask with ?optional: no error in their console');
    assert.is(optional.body, '');
  } finally {
    await server.close();
  }
});

test('GET /api/turn returns fresh credentials coturn would accept; the secret never appears; POST is 405', async () => {
  const secret = 'only-the-server-knows-this-0123456789';
  const server = await startTestServer({ turn: () => ({ secret, endpoint: { kind: 'managed', host: '127.0.0.1', port: 3478 }, ttl: 120 }) });
  try {
    const before = Math.floor(Date.now() / 1000);
    const res = await get(`${server.url}api/turn`);
    assert.is(res.status, 200);
    assert.is(res.headers['cache-control'], 'no-store');
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.not.ok(res.body.includes(secret), 'secret not in the response');
    const c = JSON.parse(res.body) as TurnCredentials;
    assert.equal(Object.keys(c).sort(), ['password', 'ttl', 'uris', 'username']);
    assert.is(c.ttl, 120);
    const expiry = must(turnUsernameExpiry(c.username), 'the expiry in the username');
    assert.ok(expiry >= before + 120 && expiry <= Math.floor(Date.now() / 1000) + 120, `expiry ${expiry}`);
    assert.is(c.password, createHmac('sha1', secret).update(c.username).digest('base64'));
    assert.equal(c.uris, ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
    const again = JSON.parse((await get(`${server.url}api/turn`)).body) as TurnCredentials;
    assert.is.not(again.username, c.username, 'a new credential per request');
    assert.is((await get(`${server.url}api/turn`, 'POST')).status, 405);
  } finally {
    await server.close();
  }
});

test.run();
