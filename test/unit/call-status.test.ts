import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeCallSituation, type CallSituation } from '../../src/ui/call-status';

const base: CallSituation = { room: 'joined', roomName: 'abc', call: 'idle', peers: 1, lastEnd: null, camera: true };

test('after Hang up: says there is no call, that you are still in the room with the camera on, and what to press', () => {
  const text = describeCallSituation({ ...base, lastEnd: 'local-hangup' });
  assert.match(text, /^You hung up\. No call now; you are still in room "abc" and your camera and microphone stay on\./);
  assert.match(text, /Call again.*Leave/);
  assert.match(describeCallSituation({ ...base, lastEnd: 'remote-hangup', camera: false }), /The other side hung up.*no camera or microphone open/);
  assert.match(describeCallSituation({ ...base, lastEnd: 'peer-left', peers: 0 }), /left the room.*starts when someone joins/);
  // A call replaced by the other side's new one, or given up after the redial: not "hung up".
  assert.match(describeCallSituation({ ...base, lastEnd: 'new-call' }), /The other side started a new call.*Call again/);
  assert.match(describeCallSituation({ ...base, lastEnd: 'no-connection' }), /could not connect, even after an ICE restart.*Call again/);
  assert.not.match(describeCallSituation({ ...base, lastEnd: 'no-connection' }), /hung up/);
});

test('each room state gets its own sentence', () => {
  const texts = (['connecting', 'joined', 'reconnecting', 'full', 'left', null] as const).map((room) => describeCallSituation({ ...base, room }));
  assert.is(new Set(texts).size, texts.length);
  assert.match(describeCallSituation({ ...base, room: null }), /Not in a room yet/);
  assert.match(describeCallSituation({ ...base, room: 'left' }), /You left room "abc"/);
  assert.match(describeCallSituation({ ...base, room: 'reconnecting', call: 'connected' }), /call itself goes on/);
});

test('in a call, and waiting alone', () => {
  assert.match(describeCallSituation({ ...base, call: 'connected' }), /^In a call in room "abc"\. Hang up ends the call but keeps you in the room/);
  assert.match(describeCallSituation({ ...base, peers: 0 }), /waiting for someone to join/);
});

test.run();
