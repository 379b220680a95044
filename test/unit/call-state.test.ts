import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextCallState, type CallEvent, type CallState } from '../../src/rtc/call-state';

const rows: [CallState, CallEvent, CallState][] = [
  ['idle', { type: 'start' }, 'connecting'],
  ['failed', { type: 'start' }, 'connecting'],
  ['connecting', { type: 'start' }, 'connecting'],
  ['connected', { type: 'start' }, 'connected'],
  ['connecting', { type: 'connection', state: 'connecting' }, 'connecting'],
  ['connecting', { type: 'connection', state: 'connected' }, 'connected'],
  ['connecting', { type: 'connection', state: 'failed' }, 'failed'],
  ['connecting', { type: 'connection', state: 'disconnected' }, 'connecting'],
  ['connected', { type: 'connection', state: 'disconnected' }, 'reconnecting'],
  ['reconnecting', { type: 'connection', state: 'connected' }, 'connected'],
  ['reconnecting', { type: 'connection', state: 'failed' }, 'failed'],
  ['connected', { type: 'connection', state: 'closed' }, 'connected'],
  ['idle', { type: 'connection', state: 'connected' }, 'idle'],
  ['connected', { type: 'end' }, 'idle'],
  ['connecting', { type: 'end' }, 'idle'],
  ['failed', { type: 'end' }, 'idle'],
  ['idle', { type: 'end' }, 'idle'],
];
for (const [from, event, to] of rows) {
  test(`${from} + ${JSON.stringify(event)} -> ${to}`, () => {
    assert.is(nextCallState(from, event), to);
  });
}
test.run();
