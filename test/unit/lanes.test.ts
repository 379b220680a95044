import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRACE_FORMAT, type TraceJSON } from '../../src/rtc/trace';
import { arrowLayout, laneLabels, mergeTraces } from '../../src/ui/lanes';

test('every arrow is in the lane of the side that sent or received it, pointing through the server', () => {
  assert.equal(arrowLayout({ side: 'caller', direction: 'sent' }), { lane: 'caller', towards: 'to-right' });
  assert.equal(arrowLayout({ side: 'caller', direction: 'received' }), { lane: 'caller', towards: 'to-left' });
  assert.equal(arrowLayout({ side: 'callee', direction: 'sent' }), { lane: 'callee', towards: 'to-left' });
  assert.equal(arrowLayout({ side: 'callee', direction: 'received' }), { lane: 'callee', towards: 'to-right' });
});

test('lane labels say which side is you', () => {
  assert.equal(laneLabels(new Set(['callee'])), { caller: 'caller (other side)', callee: 'callee (you)' });
  assert.equal(laneLabels(new Set(['caller'])), { caller: 'caller (you)', callee: 'callee (other side)' });
  assert.equal(laneLabels(new Set(['caller', 'callee'])), { caller: 'caller (this page)', callee: 'callee (this page)' });
  assert.equal(laneLabels(new Set()), { caller: 'caller', callee: 'callee' });
});

const SDP = 'v=0\r\n';
const callee: TraceJSON = {
  format: TRACE_FORMAT, version: 1, startedAt: '2026-11-30T20:00:00.000Z',
  entries: [
    { t: 5, side: 'callee', kind: 'signal', direction: 'sent', message: { type: 'join', room: 'r' } },
    { t: 2100, side: 'callee', kind: 'signal', direction: 'received', message: { type: 'offer', from: 'AbCdEfGh12345678', sdp: SDP } },
    { t: 2300, side: 'callee', kind: 'signal', direction: 'sent', message: { type: 'answer', sdp: SDP } },
  ],
};
const caller: TraceJSON = {
  format: TRACE_FORMAT, version: 1, startedAt: '2026-11-30T20:00:02.000Z',
  entries: [
    { t: 50, side: 'caller', kind: 'signal', direction: 'sent', message: { type: 'offer', sdp: SDP } },
    { t: 400, side: 'caller', kind: 'signal', direction: 'received', message: { type: 'answer', from: 'ZyXwVuTs87654321', sdp: SDP } },
  ],
};

test('merging the other tab\'s trace: its side\'s entries on this clock, in time order', () => {
  const merged = mergeTraces(callee, caller);
  assert.equal(merged.entries.map((e) => `${e.t} ${e.side} ${e.kind === 'signal' ? `${e.direction} ${e.message.type}` : e.kind}`), [
    '5 callee sent join',
    '2050 caller sent offer',
    '2100 callee received offer',
    '2300 callee sent answer',
    '2400 caller received answer',
  ]);
  assert.is(merged.startedAt.toISOString(), callee.startedAt);
});

test('merging a trace of the same side adds nothing: TypeError', () => {
  assert.throws(() => mergeTraces(callee, callee), /adds nothing/);
});

test.run();
