import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseClientMessage, parseServerMessage, MAX_FRAME_BYTES } from '../../src/signaling/protocol';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const ID = 'AbCdEfGh12345678';
const CALL = 'Call-id_12345678';
const CAND = { candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };

const client = suite('parseClientMessage');

const validClient: [string, unknown, unknown][] = [
  ['join', { type: 'join', room: 'demo' }, { type: 'join', room: 'demo' }],
  ['join with name', { type: 'join', room: 'a.b-c_d', name: ' Ada ' }, { type: 'join', room: 'a.b-c_d', name: 'Ada' }],
  ['join, blank name dropped', { type: 'join', room: 'r', name: '   ' }, { type: 'join', room: 'r' }],
  ['offer broadcast', { type: 'offer', sdp: SDP }, { type: 'offer', sdp: SDP }],
  ['offer to', { type: 'offer', to: ID, sdp: SDP }, { type: 'offer', to: ID, sdp: SDP }],
  ['answer', { type: 'answer', to: ID, sdp: SDP }, { type: 'answer', to: ID, sdp: SDP }],
  ['offer with its call id', { type: 'offer', to: ID, sdp: SDP, callId: CALL }, { type: 'offer', to: ID, callId: CALL, sdp: SDP }],
  ['answer with its call id, broadcast', { type: 'answer', callId: CALL, sdp: SDP }, { type: 'answer', callId: CALL, sdp: SDP }],
  ['candidate', { type: 'candidate', to: ID, candidate: CAND }, { type: 'candidate', to: ID, candidate: CAND }],
  ['end of candidates', { type: 'candidate', candidate: null }, { type: 'candidate', candidate: null }],
  ['bye', { type: 'bye', to: ID, callId: CALL }, { type: 'bye', to: ID, callId: CALL }],
  ['bye broadcast', { type: 'bye', callId: CALL }, { type: 'bye', callId: CALL }],
  ['bye, shortest call id', { type: 'bye', callId: 'a'.repeat(8) }, { type: 'bye', callId: 'a'.repeat(8) }],
  ['bye, longest call id', { type: 'bye', callId: 'Z'.repeat(64) }, { type: 'bye', callId: 'Z'.repeat(64) }],
  ['leave', { type: 'leave' }, { type: 'leave' }],
  ['extra fields dropped', { type: 'leave', evil: 1, from: ID }, { type: 'leave' }],
  ['client cannot set from', { type: 'bye', from: ID, callId: CALL }, { type: 'bye', callId: CALL }],
  ['progress', { type: 'progress', to: ID, role: 'caller', done: ['caller-get-user-media'], running: 'caller-new-peer-connection' },
    { type: 'progress', to: ID, role: 'caller', done: ['caller-get-user-media'], running: 'caller-new-peer-connection' }],
  ['progress, nothing done yet, broadcast', { type: 'progress', role: 'callee', done: [] }, { type: 'progress', role: 'callee', done: [] }],
];
for (const [name, input, expected] of validClient) {
  client(`valid: ${name}`, () => {
    const r = parseClientMessage(JSON.stringify(input));
    assert.ok(r.ok, JSON.stringify(r));
    if (r.ok) assert.equal(r.message, expected);
  });
}

const invalidClient: [string, string, 'bad-json' | 'bad-message', RegExp][] = [
  ['not JSON', '{type:', 'bad-json', /JSON/],
  ['empty frame', '', 'bad-json', /JSON/],
  ['null', 'null', 'bad-message', /object/],
  ['array', '[1,2]', 'bad-message', /object/],
  ['number', '42', 'bad-message', /object/],
  ['string', '"join"', 'bad-message', /object/],
  ['no type', '{}', 'bad-message', /type/],
  ['type not a string', '{"type":1}', 'bad-message', /type/],
  ['unknown type', '{"type":"welcome","id":"x"}', 'bad-message', /unknown message type/],
  ['join without room', '{"type":"join"}', 'bad-message', /room/],
  ['join room wrong type', '{"type":"join","room":5}', 'bad-message', /room/],
  ['join empty room', '{"type":"join","room":""}', 'bad-message', /room/],
  ['join room too long', JSON.stringify({ type: 'join', room: 'r'.repeat(65) }), 'bad-message', /longer than 64/],
  ['join room with spaces', '{"type":"join","room":"a b"}', 'bad-message', /room/],
  ['join room with slash', '{"type":"join","room":"../x"}', 'bad-message', /room/],
  ['join name too long', JSON.stringify({ type: 'join', room: 'r', name: 'n'.repeat(65) }), 'bad-message', /name/],
  ['join name wrong type', '{"type":"join","room":"r","name":{}}', 'bad-message', /name/],
  ['offer without sdp', '{"type":"offer"}', 'bad-message', /sdp/],
  ['offer sdp not SDP', '{"type":"offer","sdp":"hello"}', 'bad-message', /v=0/],
  ['offer sdp too long', JSON.stringify({ type: 'offer', sdp: 'v=0' + 'a'.repeat(60_000) }), 'bad-message', /sdp/],
  ['offer bad to', JSON.stringify({ type: 'offer', to: 'x', sdp: SDP }), 'bad-message', /to/],
  ['offer to wrong type', JSON.stringify({ type: 'offer', to: 7, sdp: SDP }), 'bad-message', /to/],
  ['candidate missing', '{"type":"candidate"}', 'bad-message', /candidate/],
  ['bye without call id', '{"type":"bye"}', 'bad-message', /"callId" must be a string/],
  ['bye call id not a string', JSON.stringify({ type: 'bye', callId: 12345678 }), 'bad-message', /"callId" must be a string/],
  ['bye call id null', JSON.stringify({ type: 'bye', callId: null }), 'bad-message', /"callId" must be a string/],
  ['bye call id too long', JSON.stringify({ type: 'bye', callId: 'a'.repeat(65) }), 'bad-message', /"callId" is longer than 64/],
  ['bye call id too short', JSON.stringify({ type: 'bye', callId: 'abc' }), 'bad-message', /"callId" has an invalid format/],
  ['bye call id with other characters', JSON.stringify({ type: 'bye', callId: '<script>x</script>' }), 'bad-message', /"callId" has an invalid format/],
  ['offer call id not a string', JSON.stringify({ type: 'offer', sdp: SDP, callId: ['x'] }), 'bad-message', /"callId" must be a string/],
  ['answer call id too long', JSON.stringify({ type: 'answer', sdp: SDP, callId: 'a'.repeat(65) }), 'bad-message', /"callId" is longer/],
  ['progress without done', '{"type":"progress","role":"caller"}', 'bad-message', /"done" must be an array/],
  ['progress done not an array', '{"type":"progress","role":"caller","done":"connected"}', 'bad-message', /"done" must be an array/],
  ['progress unknown step', '{"type":"progress","role":"caller","done":["caller-fly"]}', 'bad-message', /unknown step id "caller-fly"/],
  ['progress step not a string', '{"type":"progress","role":"caller","done":[7]}', 'bad-message', /unknown step id/],
  ['progress repeated step', '{"type":"progress","role":"caller","done":["connected","connected"]}', 'bad-message', /twice/],
  ['progress too many steps', JSON.stringify({ type: 'progress', role: 'caller', done: Array(24).fill('connected') }), 'bad-message', /at most 23/],
  ['progress bad role', '{"type":"progress","role":"server","done":[]}', 'bad-message', /role/],
  ['progress bad running', '{"type":"progress","role":"callee","done":[],"running":"x"}', 'bad-message', /running/],
  ['progress bad to', '{"type":"progress","role":"callee","done":[],"to":"no"}', 'bad-message', /to/],
  ['candidate a string', '{"type":"candidate","candidate":"candidate:1"}', 'bad-message', /candidate/],
  ['candidate line missing', '{"type":"candidate","candidate":{}}', 'bad-message', /candidate/],
  ['candidate bad mline', JSON.stringify({ type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: -1 } }), 'bad-message', /sdpMLineIndex/],
  ['candidate bad mid', JSON.stringify({ type: 'candidate', candidate: { candidate: 'c', sdpMid: 3 } }), 'bad-message', /sdpMid/],
];
for (const [name, frame, code, message] of invalidClient) {
  client(`invalid: ${name}`, () => {
    const r = parseClientMessage(frame);
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.is(r.error.code, code);
      assert.match(r.error.message, message);
    }
  });
}

client('a frame as large as the limit never throws', () => {
  const r = parseClientMessage('x'.repeat(MAX_FRAME_BYTES));
  assert.not.ok(r.ok);
});

client.run();

const server = suite('parseServerMessage');
const validServer: [string, unknown][] = [
  ['welcome', { type: 'welcome', id: ID, room: 'demo', peers: [{ id: ID, name: 'Ada' }], capacity: 2 }],
  ['welcome with the resume grace', { type: 'welcome', id: ID, room: 'demo', peers: [], capacity: 2, resumeGraceMs: 20000 }],
  ['peer-joined', { type: 'peer-joined', peer: { id: ID } }],
  ['peer-left', { type: 'peer-left', id: ID }],
  ['offer', { type: 'offer', from: ID, sdp: SDP }],
  ['answer', { type: 'answer', from: ID, sdp: SDP }],
  ['candidate', { type: 'candidate', from: ID, candidate: CAND }],
  ['end of candidates', { type: 'candidate', from: ID, candidate: null }],
  ['bye', { type: 'bye', from: ID, callId: CALL }],
  ['offer with its call id', { type: 'offer', from: ID, callId: CALL, sdp: SDP }],
  ['answer with its call id', { type: 'answer', from: ID, callId: CALL, sdp: SDP }],
  ['error', { type: 'error', code: 'room-full', message: 'full' }],
];
for (const [name, input] of validServer) {
  server(`valid: ${name}`, () => {
    const r = parseServerMessage(JSON.stringify(input));
    assert.ok(r.ok, JSON.stringify(r));
    if (r.ok) assert.equal(r.message, input);
  });
}
const invalidServer: [string, unknown][] = [
  ['relayed offer without from', { type: 'offer', sdp: SDP }],
  ['relayed bye without call id', { type: 'bye', from: ID }],
  ['relayed bye with a bad call id', { type: 'bye', from: ID, callId: 'a b c d e f' }],
  ['relayed offer with a bad call id', { type: 'offer', from: ID, callId: 7, sdp: SDP }],
  ['welcome without peers', { type: 'welcome', id: ID, room: 'r', capacity: 2 }],
  ['welcome bad capacity', { type: 'welcome', id: ID, room: 'r', peers: [], capacity: 0 }],
  ['welcome grace not a number', { type: 'welcome', id: ID, room: 'r', peers: [], capacity: 2, resumeGraceMs: '20000' }],
  ['welcome grace 0', { type: 'welcome', id: ID, room: 'r', peers: [], capacity: 2, resumeGraceMs: 0 }],
  ['welcome grace over an hour', { type: 'welcome', id: ID, room: 'r', peers: [], capacity: 2, resumeGraceMs: 3_600_001 }],
  ['unknown error code', { type: 'error', code: 'oops', message: 'm' }],
  ['peer with bad id', { type: 'peer-joined', peer: { id: '<img>' } }],
  ['client-only type', { type: 'join', room: 'r' }],
];
for (const [name, input] of invalidServer) {
  server(`invalid: ${name}`, () => {
    const r = parseServerMessage(JSON.stringify(input));
    assert.not.ok(r.ok);
    if (!r.ok) assert.is(r.error.code, 'bad-message');
  });
}
server.run();
