import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { explainError } from '../../src/errors/explain';
import { decodePriority, parseCandidate } from '../../src/rtc/candidates';
import { IceCandidateError, iceCandidateErrorInfo, relayWithoutTurn } from '../../src/rtc/ice-errors';
import { parseTurnCredentials, policyFromSearch, turnLines } from '../../src/rtc/turn-credentials';
import { parseIceServers } from '../../src/rtc/ice-servers';
import { PlaygroundError } from '../../src/errors/explain';
import { CoturnMissingError, startCoturn } from '../../server/coturn';
import { checkTurnSettings } from '../../server/turn-setup';
import { pathOf } from '../../src/ui/inspector/candidates';

const test = suite('ICE errors, relay policy, TURN credentials on the page');

const info = (errorCode: number, url = 'turn:127.0.0.1:3478?transport=udp') => ({ errorCode, errorText: 'x', url, address: null, port: null });

test('icecandidateerror 401 and 701 are explained in plain words with code, text and URL', () => {
  const e401 = explainError(new IceCandidateError({ ...info(401), errorText: 'Unauthorized' }), 'RTCPeerConnection');
  assert.is(e401.name, 'IceCandidateError');
  assert.match(e401.title, /TURN server rejected the username\/password \(401 Unauthorized\): turn:127\.0\.0\.1:3478\?transport=udp/);
  assert.match(e401.detail, /icecandidateerror 401 "Unauthorized"/);
  assert.match(e401.detail, /expired/);
  const e701 = explainError(new IceCandidateError(info(701, 'stun:stun.example.org:3478')), 'RTCPeerConnection');
  assert.match(e701.title, /STUN\/TURN server could not be reached \(701\): stun:stun\.example\.org:3478/);
  assert.match(explainError(new IceCandidateError(info(403)), 'RTCPeerConnection').title, /403 Forbidden/);
  assert.match(explainError(new IceCandidateError(info(500)), 'RTCPeerConnection').title, /answered with an error \(500\)/);
});

test('"no network path" only when no TURN/STUN error explains the failure', () => {
  const failed = (cause: unknown[]) => {
    const err = new PlaygroundError('IceFailed', 'failed');
    err.cause = cause;
    return explainError(err, 'RTCPeerConnection');
  };
  assert.match(failed([]).title, /no network path/);
  assert.match(failed([info(401)]).title, /rejected our credentials \(401\)/);
  assert.not.match(failed([info(401)]).title, /no network path/);
  assert.match(failed([info(701)]).title, /could not be reached \(701\)/);
  assert.match(explainError(new PlaygroundError('RelayWithoutTurn', 'x'), 'RTCPeerConnection').title, /Relay only is on, but no TURN server/);
});

test('event data: Chromium fields, Firefox hostCandidate, missing fields', () => {
  const chromium = Object.assign(new Event('icecandidateerror'), { errorCode: 401, errorText: 'Unauthorized', url: 'turn:a:1', address: '10.0.0.2', port: 5000 });
  assert.equal(iceCandidateErrorInfo(chromium), { errorCode: 401, errorText: 'Unauthorized', url: 'turn:a:1', address: '10.0.0.2', port: 5000 });
  const firefox = Object.assign(new Event('icecandidateerror'), { errorCode: 701, errorText: '', url: 'stun:b:2', hostCandidate: '192.0.2.1:6000' });
  assert.equal(iceCandidateErrorInfo(firefox), { errorCode: 701, errorText: '', url: 'stun:b:2', address: '192.0.2.1', port: 6000 });
  assert.equal(iceCandidateErrorInfo(new Event('icecandidateerror')), { errorCode: 0, errorText: '', url: '', address: null, port: null });
});

test('relay only needs a turn:/turns: server', () => {
  assert.is(relayWithoutTurn({ iceTransportPolicy: 'relay', iceServers: [] }), true);
  assert.is(relayWithoutTurn({ iceTransportPolicy: 'relay', iceServers: [{ urls: 'stun:s:1' }] }), true);
  assert.is(relayWithoutTurn({ iceTransportPolicy: 'relay', iceServers: [{ urls: ['stun:s:1', 'turns:t:443'], username: 'u', credential: 'p' }] }), false);
  assert.is(relayWithoutTurn({ iceTransportPolicy: 'all', iceServers: [] }), false);
  assert.is(relayWithoutTurn({}), false);
});

test('?policy= is validated: relay, all, or refused', () => {
  assert.equal(policyFromSearch('?room=a&policy=relay'), { policy: 'relay', invalid: null });
  assert.equal(policyFromSearch('?policy=all'), { policy: 'all', invalid: null });
  assert.equal(policyFromSearch(''), { policy: 'all', invalid: null });
  assert.equal(policyFromSearch('?policy=RELAY'), { policy: 'all', invalid: 'RELAY' });
  assert.is(policyFromSearch(`?policy=${'x'.repeat(500)}`).invalid?.length, 40);
});

test('/api/turn answers are validated and become ICE servers lines the box parses', () => {
  const creds = { username: '1700003600:alice', password: 'Dup6ClDoAdRALsjkgQhupoARTRI=', ttl: 3600, uris: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'] };
  assert.equal(parseTurnCredentials(creds), creds);
  const lines = turnLines(creds);
  assert.equal(parseIceServers(lines), creds.uris.map((urls) => ({ urls, username: creds.username, credential: creds.password })));
  for (const bad of [null, [], { ...creds, username: 'a b' }, { ...creds, ttl: -1 }, { ...creds, uris: [] }, { ...creds, uris: ['http://x'] }, { ...creds, password: 5 }]) {
    assert.throws(() => parseTurnCredentials(bad), (e: unknown) => e instanceof TypeError, JSON.stringify(bad));
  }
});

test('priority decoded into type preference, local preference and component (RFC 8445 §5.1.2.1)', () => {
  const host = parseCandidate('candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host generation 0');
  assert.equal(decodePriority(host.priority), { typePreference: 126, localPreference: 32542, componentId: 1 });
  assert.equal(decodePriority(/* type preference 0 */ 2 ** 8 * 65535 + 255), { typePreference: 0, localPreference: 65535, componentId: 1 });
  assert.equal(decodePriority(2 ** 24 * 100 + 2 ** 8 * 10 + 254), { typePreference: 100, localPreference: 10, componentId: 2 });
  assert.throws(() => decodePriority(-1), (e: unknown) => e instanceof TypeError);
  assert.throws(() => decodePriority(2 ** 32), (e: unknown) => e instanceof TypeError);
});

test('selected pair path in words', () => {
  assert.match(pathOf('relay', 'relay'), /^relay ⇄ relay: media goes through a TURN server/);
  assert.match(pathOf('host', 'srflx'), /through a NAT/);
  assert.match(pathOf('host', 'host'), /between local addresses/);
});

test('coturn missing: startCoturn says exactly what to install', async () => {
  const saved = process.env.TURNSERVER_PATH;
  process.env.TURNSERVER_PATH = '/nonexistent/turnserver';
  try {
    await startCoturn({ secret: 's', listeningIp: '127.0.0.1', port: 3478, minPort: 61000, maxPort: 61010, allowLoopbackPeers: true, logFile: '/dev/null' });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, CoturnMissingError);
    assert.match((err as Error).message, /sudo apt-get install -y coturn/);
  } finally {
    if (saved === undefined) delete process.env.TURNSERVER_PATH;
    else process.env.TURNSERVER_PATH = saved;
  }
});

test('TURN flags are checked: URL shape, secret needed, not both modes, TTL', () => {
  const ok = { managed: false, urls: ['turn:turn.example.org:3478?transport=udp'], secret: 's' };
  checkTurnSettings(ok);
  checkTurnSettings({ managed: true, urls: [] });
  const bad = [
    { ...ok, urls: ['http://x'] },
    { ...ok, secret: undefined },
    { ...ok, managed: true },
    { managed: false, urls: [], secret: 's' },
    { ...ok, ttl: 0 },
  ];
  for (const s of bad) assert.throws(() => checkTurnSettings(s), (e: unknown) => e instanceof TypeError, JSON.stringify(s));
});

test.run();
