import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultIceServersText, parseIceServers, PUBLIC_STUN } from '../../src/rtc/ice-servers';
import { randomRoomName, roomFromSearch, roomLink } from '../../src/signaling/room-name';

test('ICE servers: empty text gives no servers', () => {
  assert.equal(parseIceServers(''), []);
  assert.equal(parseIceServers('\n  # only a comment\n'), []);
});
test('ICE servers: STUN and TURN lines', () => {
  assert.equal(parseIceServers(`${PUBLIC_STUN}\nturn:t.example:3478?transport=udp alice s3cret # office`), [
    { urls: PUBLIC_STUN },
    { urls: 'turn:t.example:3478?transport=udp', username: 'alice', credential: 's3cret' },
  ]);
});
test('ICE servers: bad lines throw TypeError naming the line', () => {
  assert.throws(() => parseIceServers('stun:ok:1\nhttp://nope'), (e: unknown) => e instanceof TypeError && /line 2/.test((e as Error).message));
  assert.throws(() => parseIceServers('turn:t:3478'), (e: unknown) => e instanceof TypeError && /username/.test((e as Error).message));
  assert.throws(() => parseIceServers('stun:a:1 b c d'), TypeError);
});
test('ICE servers default: none on localhost, STUN elsewhere', () => {
  assert.is(defaultIceServersText('localhost'), '');
  assert.is(defaultIceServersText('127.0.0.1'), '');
  assert.is(defaultIceServersText('192.168.1.20'), PUBLIC_STUN);
});

test('room from URL: valid, missing and invalid', () => {
  assert.equal(roomFromSearch('?room=demo-1'), { room: 'demo-1', source: 'given' });
  const gen = roomFromSearch('', () => 0.5);
  assert.is(gen.source, 'generated');
  assert.match(gen.room, /^[a-z]+-[a-z]+-\d{4}$/);
  const bad = roomFromSearch('?room=%3Cscript%3E');
  assert.is(bad.source, 'invalid');
  assert.match(bad.room, /^[a-z]+-[a-z]+-\d{4}$/);
  assert.is(roomFromSearch(`?room=${'x'.repeat(65)}`).source, 'invalid');
});
test('random room names are words-words-digits from the random source, and room links carry only the room', () => {
  const seq = [0, 0.99, 0.5, 0.05, 0.999, 0];
  const next = () => seq.shift() ?? 0;
  assert.is(randomRoomName(next), 'amber-tundra-5000');
  assert.is(randomRoomName(next), 'brisk-tundra-0000');
  const names = new Set(Array.from({ length: 50 }, () => randomRoomName()));
  assert.ok(names.size > 45, `50 names from Math.random are (nearly) all different: ${names.size}`);
  assert.is(roomLink('https://h:8443/call.html?room=old&x=1#frag', 'new-room'), 'https://h:8443/call.html?room=new-room');
});
test.run();
