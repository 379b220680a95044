import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_CHAT_LENGTH, MAX_DATA_FRAME, parseDataMessage } from '../../src/rtc/data-channel';

test('valid messages parse, extra fields are dropped', () => {
  assert.equal(parseDataMessage('{"type":"chat","text":"hi <b>there</b>","extra":1}'), { ok: true, message: { type: 'chat', text: 'hi <b>there</b>' } });
  assert.equal(parseDataMessage('{"type":"mute","audio":false,"video":true}'), { ok: true, message: { type: 'mute', audio: false, video: true } });
  assert.equal(parseDataMessage('{"type":"screen","sharing":true}'), { ok: true, message: { type: 'screen', sharing: true } });
});

const bad: [string, unknown, RegExp][] = [
  ['binary', new ArrayBuffer(4), /binary/],
  ['not JSON', '{nope', /not JSON/],
  ['array', '[1]', /object/],
  ['null', 'null', /object/],
  ['unknown type', '{"type":"exec"}', /unknown message type/],
  ['no type', '{}', /unknown message type/],
  ['empty chat', '{"type":"chat","text":""}', /non-empty/],
  ['chat number', '{"type":"chat","text":5}', /non-empty string/],
  ['chat too long', JSON.stringify({ type: 'chat', text: 'x'.repeat(MAX_CHAT_LENGTH + 1) }), /longer than/],
  ['mute not boolean', '{"type":"mute","audio":"no","video":true}', /booleans/],
  ['screen missing', '{"type":"screen"}', /boolean/],
  ['frame too big', 'x'.repeat(MAX_DATA_FRAME + 1), /too big/],
];
for (const [name, frame, why] of bad) {
  test(`refused: ${name}`, () => {
    const r = parseDataMessage(frame);
    assert.is(r.ok, false);
    if (!r.ok) assert.match(r.error, why);
  });
}

test.run();
