/**
 * The relay's fast path (server/relay-frame.ts): a canonical candidate or bye is checked byte by byte
 * without parsing and goes out as the sender's own bytes with `from` spliced in, byte for byte what
 * the re-encode writes; it accepts exactly what the validator accepts in canonical form (limits
 * included); every odd frame (whitespace, escapes, duplicate, extra or reordered keys, `__proto__`,
 * odd numbers) and every invalid one falls back to the parser; held peers get text; and on a real
 * server the receiver gets the same bytes either way, and an invalid frame still gets its `error`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { MAX_FAST_FRAME_BYTES, spliceSignal } from '../../server/relay-frame';
import { textOf } from '../../server/signaler';
import { encodeMessage, encodeSignal, parseClientMessage, relayedSignal, type ClientMessage } from '../../src/signaling/protocol';
import { Relay } from '../../src/signaling/relay';
import { Rng } from '../fuzz/frames';
import { ROOT, startTestServer } from '../helpers/server';

const FROM = 'Fr0m_-Fr0m_-Fr0m';
const TO = 'T0t0T0t0T0t0T0t0';
const LINE = 'candidate:842163049 1 udp 1677729535 192.0.2.20 51234 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag u1Zr';

/** What the relay sends for a parsed candidate or bye without the splice: the re-encoded relayed signal. */
function reencoded(m: ClientMessage, from = FROM): string {
  if (m.type === 'candidate') return encodeSignal({ type: 'candidate', from, candidate: m.candidate });
  if (m.type === 'bye') return encodeSignal(relayedSignal(from, m));
  throw new TypeError(`not a candidate or bye: ${m.type}`);
}

/** Parses `text` (the test's frames are valid), splices it, and checks the spliced frame's recipient. */
function splice(text: string): { message: ClientMessage; out: Buffer | null } {
  const parsed = parseClientMessage(text);
  if (!parsed.ok) throw new Error(`the validator refused ${text}: ${parsed.error.message}`);
  const spliced = spliceSignal(Buffer.from(text), FROM);
  if (spliced) assert.is(spliced.to, (parsed.message as { to?: string }).to, text);
  return { message: parsed.message, out: spliced?.frame ?? null };
}

/** The two canonical frames of a candidate or bye for `to`: `to` right after `type`, and `to` last. */
function canonical(body: Record<string, unknown>, to = TO): string[] {
  const { type, ...rest } = body;
  return [JSON.stringify({ type, to, ...rest }), JSON.stringify({ type, ...rest, to })];
}

/**
 * Whether the fast path must take a valid canonical frame: it leaves escapes and frames over
 * MAX_FAST_FRAME_BYTES to the parser, and counts sdpMid (64) and usernameFragment (256) in bytes.
 */
function fastEligible(text: string, m: ClientMessage): boolean {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  const c = m.type === 'candidate' ? m.candidate : null;
  return !text.includes('\\') && Buffer.byteLength(text) <= MAX_FAST_FRAME_BYTES && bytes(c?.sdpMid) <= 64 && bytes(c?.usernameFragment) <= 256;
}

test('canonical candidates and byes are spliced: byte for byte what the re-encode writes, `to` gone, `from` stamped', () => {
  const bodies: Record<string, unknown>[] = [
    { type: 'candidate', candidate: { candidate: LINE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u1Zr' } },
    { type: 'candidate', candidate: { candidate: LINE, sdpMid: '0', sdpMLineIndex: 0 } },
    { type: 'candidate', candidate: { candidate: LINE, sdpMLineIndex: 1023 } },
    { type: 'candidate', candidate: { candidate: LINE, sdpMid: null, sdpMLineIndex: null, usernameFragment: null } },
    { type: 'candidate', candidate: { candidate: '' } },
    { type: 'candidate', candidate: null },
    // Non-ASCII text needs no escape in JSON: its bytes go through as they came.
    { type: 'candidate', candidate: { candidate: `${LINE} é € 😀`, sdpMid: 'ü', usernameFragment: '\u2028' } },
    { type: 'bye', callId: 'call-one-1' },
  ];
  for (const body of bodies) {
    for (const text of canonical(body)) {
      const { message, out } = splice(text);
      assert.ok(out, `not spliced: ${text}`);
      assert.is(out?.toString('utf8'), reencoded(message), text);
      assert.ok(!out?.includes('"to"'), text);
    }
  }
});

test('odd frames fall back to the re-encode: whitespace, escapes, duplicate, extra or reordered keys, __proto__, odd numbers', () => {
  const c = `{"candidate":"${LINE}","sdpMid":"0","sdpMLineIndex":0}`;
  const odd = [
    `{"type":"candidate","to":"${TO}","candidate":${c}} `,
    ` {"type":"candidate","to":"${TO}","candidate":${c}}`,
    `{"type": "candidate","to":"${TO}","candidate":${c}}`,
    `{"type":"candidate",\n"to":"${TO}","candidate":${c}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}", "sdpMid":"0"}}`,
    // Escapes that decode to the very same values.
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"\\u0063andidate:1 1 udp 1 192.0.2.1 9 typ host"}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"a\\/b"}}`,
    `{"type":"candidate","to":"T0t0T0t0T0t0T0t\\u0030","candidate":${c}}`,
    `{"type":"\\u0063andidate","to":"${TO}","candidate":${c}}`,
    `{"type":"bye","to":"${TO}","callId":"call-one-\\u0031"}`,
    // Duplicate keys (a parser that keeps the first would see something else).
    `{"type":"candidate","type":"candidate","to":"${TO}","candidate":${c}}`,
    `{"type":"candidate","to":"AAAAAAAAAAAAAAAA","candidate":${c},"to":"${TO}"}`,
    `{"type":"candidate","to":"${TO}","candidate":null,"candidate":${c}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"x","candidate":"${LINE}"}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}","sdpMid":"1","sdpMid":"0"}}`,
    `{"type":"bye","to":"${TO}","callId":"call-one-2","callId":"call-one-1"}`,
    // Extra fields, at the top and inside, and a forged from.
    `{"type":"candidate","to":"${TO}","candidate":${c},"from":"forgedforged1234"}`,
    `{"type":"candidate","to":"${TO}","x":1,"candidate":${c}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}","extra":[1,2]}}`,
    `{"type":"bye","to":"${TO}","callId":"call-one-1","sdp":"v=0"}`,
    `{"type":"candidate","to":"${TO}","candidate":${c},"__proto__":{"to":"AAAAAAAAAAAAAAAA"}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}","__proto__":{"sdpMid":"1"}}}`,
    // Reordered keys.
    `{"to":"${TO}","type":"candidate","candidate":${c}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"sdpMid":"0","candidate":"${LINE}"}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}","sdpMLineIndex":0,"sdpMid":"0"}}`,
    // Numbers the validator accepts but JSON.stringify writes otherwise.
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}","sdpMLineIndex":-0}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}","sdpMLineIndex":1.0}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"${LINE}","sdpMLineIndex":1e0}}`,
    // Valid and canonical, but not for the fast path: no `to` (the whole room), and offers/answers.
    `{"type":"candidate","candidate":${c}}`,
    encodeMessage({ type: 'offer', to: TO, callId: 'call-one-1', sdp: 'v=0 o=- 1 2 IN IP4 127.0.0.1' }),
    encodeMessage({ type: 'answer', to: TO, sdp: 'v=0' }),
  ];
  for (const text of odd) {
    const { message, out } = splice(text);
    assert.is(out, null, `spliced an odd frame: ${text}`);
    // What the receiver gets instead carries only what the validator kept.
    if (message.type === 'candidate' || message.type === 'bye') {
      const keys = Object.keys(JSON.parse(reencoded(message)) as object);
      assert.equal(keys, message.type === 'bye' ? ['type', 'from', 'callId'] : ['type', 'from', 'candidate'], text);
    }
  }
});

test('mutated frames: the fast path takes exactly the valid canonical frames, and writes what the re-encode writes', () => {
  const r = new Rng(9);
  const pieces = [' ', '\n', ',', '"x":1,', '"to":"AAAAAAAAAAAAAAAA",', '\\u0041', '-', '.0', 'e0', '"', '{', '}', '__proto__', '\t', '0', '9'];
  const ALPHABET = ['a', 'Z', '0', ' ', ':', '/', 'é', '😀', '"', '\\', '\n', '\u0001'];
  let spliced = 0;
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < 20_000; i++) {
    const word = (max = 12) => Array.from({ length: r.int(max) }, () => r.pick(ALPHABET)).join('');
    // Lengths near the validator's limits: 2048 (candidate), 64 (sdpMid), 256 (usernameFragment), 1023.
    const near = (limit: number, unit: string) => unit.repeat(Math.floor(limit / unit.length) - 1 + r.int(3));
    const cand: Record<string, unknown> = { candidate: r.chance(0.5) ? LINE : r.chance(0.2) ? near(2048, r.pick(['a', 'é', '😀'])) : word() };
    if (r.chance(0.7)) cand.sdpMid = r.chance(0.2) ? null : r.chance(0.2) ? near(64, r.pick(['0', '€'])) : word();
    if (r.chance(0.7)) cand.sdpMLineIndex = r.chance(0.2) ? null : r.chance(0.3) ? 1021 + r.int(5) : r.int(1024);
    if (r.chance(0.5)) cand.usernameFragment = r.chance(0.2) ? null : r.chance(0.2) ? near(256, '😀') : word();
    const id = () => 'i'.repeat(6 + r.int(4)) + (r.chance(0.1) ? 'x'.repeat(55 + r.int(4)) : 'd');
    const body = r.chance(0.8) ? { type: 'candidate', candidate: r.chance(0.1) ? null : cand } : { type: 'bye', callId: r.chance(0.2) ? id() : `call-${r.int(1e6)}` };
    let text = r.pick(canonical(body, r.chance(0.2) ? id() : TO));
    if (r.chance(0.6)) {
      const at = r.int(text.length + 1);
      text = text.slice(0, at) + r.pick(pieces) + text.slice(at + (r.chance(0.3) ? 1 : 0));
    }
    // As `ws` hands it over: valid UTF-8 (a mutation may have split a surrogate pair).
    text = Buffer.from(text).toString('utf8');
    const parsed = parseClientMessage(text);
    const out = spliceSignal(Buffer.from(text), FROM);
    const m = parsed.ok && (parsed.message.type === 'candidate' || parsed.message.type === 'bye') ? parsed.message : null;
    const rest = m?.type === 'candidate' ? { candidate: m.candidate } : m?.type === 'bye' ? { callId: m.callId } : null;
    const canonicalValid = m !== null && rest !== null && m.to !== undefined && canonical({ type: m.type, ...rest }, m.to).includes(text);
    if (parsed.ok) valid++;
    else invalid++;
    if (out === null) {
      assert.not.ok(canonicalValid && m !== null && fastEligible(text, m), `a valid canonical frame was not spliced: ${text.slice(0, 200)}`);
      continue;
    }
    spliced++;
    assert.ok(canonicalValid && m !== null, `spliced a frame that is not valid canonical JSON: ${text.slice(0, 200)}`);
    assert.is(out.to, m?.to);
    assert.is(out.frame.toString('utf8'), m ? reencoded(m) : '', text);
  }
  // Every path must have been taken many times, or this test proves nothing.
  assert.ok(spliced > 2000, `spliced only ${spliced}`);
  assert.ok(valid - spliced > 2000, `valid but not spliced only ${valid - spliced}`);
  assert.ok(invalid > 2000, `invalid only ${invalid}`);
});

test('limits: the fast path never takes what the validator refuses, and takes every valid frame within its byte limits', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['candidate', { candidate: { candidate: 'a'.repeat(2048) } }],
    ['candidate', { candidate: { candidate: 'a'.repeat(2049) } }],
    ['candidate', { candidate: { candidate: '😀'.repeat(1024) } }],
    ['candidate', { candidate: { candidate: `${'😀'.repeat(1024)}a` } }],
    ['candidate', { candidate: { candidate: 'é'.repeat(2048) } }],
    ['candidate', { candidate: { candidate: 'é'.repeat(2049) } }],
    ['candidate', { candidate: { candidate: LINE, sdpMid: 'm'.repeat(64) } }],
    ['candidate', { candidate: { candidate: LINE, sdpMid: 'm'.repeat(65) } }],
    ['candidate', { candidate: { candidate: LINE, usernameFragment: 'u'.repeat(256) } }],
    ['candidate', { candidate: { candidate: LINE, usernameFragment: 'u'.repeat(257) } }],
    ['candidate', { candidate: { candidate: LINE, sdpMLineIndex: 1023 } }],
    ['candidate', { candidate: { candidate: LINE, sdpMLineIndex: 1024 } }],
    ['candidate', { candidate: { candidate: LINE, sdpMLineIndex: 99999 } }],
    ['bye', { callId: 'c'.repeat(8) }],
    ['bye', { callId: 'c'.repeat(7) }],
    ['bye', { callId: 'c'.repeat(64) }],
    ['bye', { callId: 'c'.repeat(65) }],
    ['bye', { callId: 'call.one.1' }],
  ];
  const ids = ['t'.repeat(8), 't'.repeat(7), 't'.repeat(64), 't'.repeat(65), 'tttt tttt'];
  let checked = 0;
  for (const [type, body] of cases) {
    for (const to of ids) {
      for (const text of canonical({ type, ...body }, to)) {
        const parsed = parseClientMessage(text);
        const expected = parsed.ok && fastEligible(text, parsed.message);
        assert.is(spliceSignal(Buffer.from(text), FROM) !== null, expected, `${parsed.ok ? 'valid' : 'invalid'}: ${text.slice(0, 120)}`);
        checked++;
      }
    }
  }
  // Not JSON, refused by both: a control character raw in a string, numbers with a leading zero.
  for (const raw of [
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"a\u0001b"}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"a","sdpMLineIndex":01}}`,
    `{"type":"candidate","to":"${TO}","candidate":{"candidate":"a","sdpMLineIndex":00}}`,
  ]) {
    assert.is(parseClientMessage(raw).ok, false, raw);
    assert.is(spliceSignal(Buffer.from(raw), FROM), null, raw);
  }
  assert.is(checked, cases.length * ids.length * 2);
});

test("a real Chromium call's candidates take the fast path", () => {
  const call = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'chromium-call.json'), 'utf8')) as { message: { type: string; to?: string } }[];
  const candidates = call.filter((e) => e.message.type === 'candidate' && e.message.to !== undefined);
  assert.ok(candidates.length >= 20);
  for (const { message } of candidates) {
    // The recording names the peers "A" and "B"; on the wire `to` is a server-made id.
    const { message: parsed, out } = splice(JSON.stringify({ ...message, to: TO }));
    assert.is(out?.toString('utf8'), reencoded(parsed), JSON.stringify(message));
  }
});

test('the in-page relay: bytes to a connection that takes them, text to one that does not and to a held peer', () => {
  const relay = new Relay({ resumeGraceMs: 10_000 });
  const got: { b: (string | Uint8Array)[]; c: string[] } = { b: [], c: [] };
  const a = relay.connect({ send: () => undefined });
  const b = relay.connect({ send: (t) => got.b.push(t), sendBytes: (f) => got.b.push(f) });
  relay.receive(a, JSON.stringify({ type: 'join', room: 'x' }));
  relay.receive(b, JSON.stringify({ type: 'join', room: 'x' }));
  const token = (JSON.parse(String(got.b[0])) as { resume: string }).resume;
  got.b.length = 0;
  const send = (text: string) => {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) throw new Error(text);
    relay.handle(a, parsed.message, spliceSignal(Buffer.from(text), a.id)?.frame);
    return reencoded(parsed.message, a.id);
  };
  const first = send(JSON.stringify({ type: 'candidate', to: b.id, candidate: { candidate: LINE } }));
  assert.ok(got.b[0] instanceof Uint8Array);
  assert.is(Buffer.from(got.b[0] as Uint8Array).toString('utf8'), first);
  // Held (dropped, within the grace): kept as text and given to the resumed connection.
  relay.disconnect(b, { clean: false });
  const second = send(JSON.stringify({ type: 'candidate', to: b.id, candidate: { candidate: `${LINE} 2` } }));
  const c = relay.connect({ send: (t) => got.c.push(t) });
  relay.receive(c, JSON.stringify({ type: 'join', room: 'x', resume: token }));
  assert.is(c.id, b.id);
  assert.is(got.c.at(-1), second);
  // A connection without sendBytes gets the text.
  const third = send(JSON.stringify({ type: 'bye', to: c.id, callId: 'call-one-1' }));
  assert.is(got.c.at(-1), third);
  relay.close();
});

test('on a real server the receiver gets the same text frame whether the sender was canonical or not, and invalid frames get their error', async () => {
  const server = await startTestServer();
  const open = (): Promise<{ ws: WebSocket; frames: { text: string; binary: boolean }[]; id: Promise<string> }> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${server.port}/ws`, { rejectUnauthorized: false });
      const frames: { text: string; binary: boolean }[] = [];
      let welcomed: (id: string) => void = () => undefined;
      const id = new Promise<string>((r) => (welcomed = r));
      ws.on('message', (data, binary) => {
        const text = textOf(data);
        const m = JSON.parse(text) as { type: string; id?: string };
        if (m.type === 'welcome') welcomed(m.id ?? '');
        else frames.push({ text, binary });
      });
      ws.once('open', () => resolve({ ws, frames, id }));
      ws.once('error', reject);
    });
  try {
    const a = await open();
    const b = await open();
    a.ws.send(JSON.stringify({ type: 'join', room: 'splice' }));
    const aId = await a.id;
    b.ws.send(JSON.stringify({ type: 'join', room: 'splice' }));
    const bId = await b.id;
    const candidate = { candidate: LINE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u1Zr' };
    a.ws.send(JSON.stringify({ type: 'candidate', candidate, to: bId }));
    a.ws.send(`{ "type":"candidate", "to":"${bId}", "candidate":${JSON.stringify({ ...candidate, extra: 1 })}, "from":"forgedforged1234" }`);
    // Canonical in form but refused by the validator (too long), and canonical for a peer not in the room: typed errors, nothing relayed.
    a.ws.send(JSON.stringify({ type: 'candidate', to: bId, candidate: { candidate: 'a'.repeat(2049) } }));
    a.ws.send(JSON.stringify({ type: 'candidate', to: 'NoSuchPeerNoSuch', candidate }));
    a.ws.send(JSON.stringify({ type: 'bye', to: bId, callId: 'call-one-1' }));
    const expected = encodeSignal({ type: 'candidate', from: aId, candidate });
    const deadline = Date.now() + 5000;
    const errors = () => a.frames.map((f) => JSON.parse(f.text) as { type: string; code?: string }).filter((m) => m.type === 'error');
    while ((b.frames.length < 3 || errors().length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(errors().map((m) => m.code), ['bad-message', 'unknown-peer']);
    assert.equal(b.frames, [
      { text: expected, binary: false },
      { text: expected, binary: false },
      { text: encodeSignal({ type: 'bye', from: aId, callId: 'call-one-1' }), binary: false },
    ]);
    a.ws.close();
    b.ws.close();
  } finally {
    await server.close();
  }
});

test.run();
