import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeMessage, encodeSignal, parseClientMessage, relayedSignal, type RelayedSignal } from '../../src/signaling/protocol';
import { Rng } from '../fuzz/frames';

const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '/', '\r', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '€', '😀', '\ud800', '\udc00', '\u2028'];

function text(r: Rng, max: number): string {
  let s = '';
  for (let n = r.int(max); n > 0; n--) s += r.pick(ALPHABET);
  return s;
}

test('encodeSignal writes exactly what JSON.stringify writes, for every kind of string', () => {
  const r = new Rng(7);
  for (let i = 0; i < 5000; i++) {
    const from = r.id();
    const signals: RelayedSignal[] = [
      { type: 'offer', from, sdp: `v=0${text(r, 40)}` },
      { type: 'offer', from, callId: r.id(), sdp: `v=0${text(r, 40)}` },
      { type: 'answer', from, sdp: `v=0\r\n${text(r, 40)}` },
      { type: 'answer', from, callId: r.id(), sdp: `v=0\r\n${text(r, 40)}` },
      { type: 'bye', from, callId: r.id() },
      { type: 'candidate', from, candidate: null },
    ];
    // Candidates as the parser builds them (only the keys that were sent, in its order).
    const c: Record<string, unknown> = { candidate: text(r, 60) };
    if (r.chance(0.7)) c.sdpMid = r.chance(0.2) ? null : text(r, 5);
    if (r.chance(0.7)) c.sdpMLineIndex = r.chance(0.2) ? null : r.int(1024);
    if (r.chance(0.7)) c.usernameFragment = r.chance(0.2) ? null : text(r, 8);
    const parsed = parseClientMessage(JSON.stringify({ type: 'candidate', candidate: c }));
    assert.ok(parsed.ok);
    if (parsed.ok && parsed.message.type === 'candidate') signals.push({ type: 'candidate', from, candidate: parsed.message.candidate });
    for (const s of signals) assert.is(encodeSignal(s), encodeMessage(s), JSON.stringify(s));
    // The relay builds them with relayedSignal from parsed messages: the same text again.
    for (const m of [{ type: 'offer', callId: r.id(), to: r.id(), sdp: 'v=0' }, { type: 'answer', sdp: 'v=0' }, { type: 'bye', callId: r.id() }]) {
      const p = parseClientMessage(JSON.stringify(m));
      assert.ok(p.ok && (p.message.type === 'offer' || p.message.type === 'answer' || p.message.type === 'bye'));
      if (p.ok && (p.message.type === 'offer' || p.message.type === 'answer' || p.message.type === 'bye')) {
        const relayed = relayedSignal(from, p.message);
        assert.is(encodeSignal(relayed), encodeMessage(relayed));
        assert.ok(!('to' in relayed));
      }
    }
  }
});

test.run();
