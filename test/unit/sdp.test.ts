import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prettySdp } from '../../src/rtc/sdp';
import { must } from '../helpers/must';

// Recorded from headless Chromium 156 (fake devices): an offer with audio, video and a data
// channel after ICE gathering completed, and the answer of a second RTCPeerConnection.
const offer = readFileSync(new URL('../fixtures/chromium-offer.sdp', import.meta.url), 'utf8');
const answer = readFileSync(new URL('../fixtures/chromium-answer.sdp', import.meta.url), 'utf8');

test('a Chromium offer splits into session lines and audio, video, data channel m-sections', () => {
  const p = prettySdp(offer);
  assert.equal(p.sections.map((s) => s.media), ['audio', 'video', 'application']);
  assert.equal(p.sections.map((s) => s.mid), ['0', '1', '2']);
  assert.is(p.session[0]?.text, 'v=0');
  assert.ok(p.session.some((l) => l.text.startsWith('a=group:BUNDLE 0 1 2')));
  // One line per attribute: nothing lost, nothing merged.
  const total = p.session.length + p.sections.reduce((n, s) => n + s.lines.length, 0);
  assert.is(total, offer.split('\r\n').filter(Boolean).length);
  for (const s of p.sections) assert.ok(s.lines[0]?.text.startsWith(`m=${s.media} `));
});

test('codecs come from a=rtpmap in preference order and are marked with a note', () => {
  const [audio, video] = prettySdp(offer).sections;
  assert.is(audio?.codecs[0], 'opus/48000/2');
  assert.is(video?.codecs[0], 'VP8/90000');
  assert.ok(video?.codecs.includes('rtx/90000'));
  const rtpmap = must(video?.lines.find((l) => l.text === 'a=rtpmap:96 VP8/90000'), 'the VP8 rtpmap line');
  assert.is(rtpmap.mark, 'codec');
  assert.is(rtpmap.note, 'payload type 96 = VP8/90000');
  assert.is(video?.lines.find((l) => l.text.startsWith('a=fmtp:'))?.mark, 'codec');
});

test('ICE and DTLS attributes are marked; direction is read', () => {
  for (const s of prettySdp(offer).sections) {
    const mark = (prefix: string) => s.lines.find((l) => l.text.startsWith(prefix))?.mark;
    assert.is(mark('a=ice-ufrag:'), 'ice');
    assert.is(mark('a=ice-pwd:'), 'ice');
    assert.is(mark('a=candidate:'), 'ice');
    assert.is(mark('a=fingerprint:sha-256'), 'dtls');
    assert.is(mark('a=setup:actpass'), 'dtls');
    assert.is(mark('a=mid:'), 'plain');
  }
  const [audio, video, data] = prettySdp(answer).sections;
  assert.is(audio?.direction, 'recvonly');
  assert.is(video?.direction, 'recvonly');
  assert.is(data?.direction, null);
  assert.ok(data?.lines.some((l) => l.text.startsWith('a=setup:active') && l.mark === 'dtls'));
});

test('LF-only SDP works; non-SDP input is a TypeError', () => {
  assert.is(prettySdp(offer.replaceAll('\r\n', '\n')).sections.length, 3);
  assert.throws(() => prettySdp('hello'), TypeError);
  assert.throws(() => prettySdp(42 as unknown as string), TypeError);
});

test.run();
