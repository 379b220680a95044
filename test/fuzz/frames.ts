/**
 * Seeded generator of hostile signaling frames for the fuzz test: valid messages, mutated ones,
 * wrong shapes, deep nesting, `__proto__` keys, binary frames, and frames the WebSocket layer must
 * close on (invalid UTF-8 → 1007, oversize and fragmented oversize → 1009, protocol errors → 1002).
 * The same seed always gives the same frames.
 */
import { MAX_FRAME_BYTES } from '../../src/signaling/protocol';

/** A small fast seeded PRNG (mulberry32): `next()` in [0, 1). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  id(): string {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let s = '';
    for (let i = 0; i < 16; i++) s += abc[this.int(abc.length)];
    return s;
  }
}

/** One generated frame and how the server must react to it. */
export type Frame =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; data: Buffer }
  /** Must close the socket with `code`: `bytes` go out as one text frame, `fragments` as a fragmented one, `raw` straight onto the TCP/TLS stream. */
  | { kind: 'fatal'; code: 1007 | 1009 | 1002; bytes?: Buffer; fragments?: Buffer[]; raw?: Buffer };

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const CANDIDATE = { candidate: 'candidate:842163049 1 udp 1677729535 192.0.2.20 51234 typ srflx raddr 0.0.0.0 rport 0 generation 0', sdpMid: '0', sdpMLineIndex: 0 };

function valid(r: Rng, room: string): unknown {
  const to = r.chance(0.5) ? { to: r.id() } : {};
  switch (r.int(7)) {
    case 0: return { type: 'join', room, ...(r.chance(0.3) ? { name: 'Ada' } : {}) };
    case 1: return { type: 'leave' };
    case 2: return { type: 'offer', sdp: SDP, ...to };
    case 3: return { type: 'answer', sdp: SDP, ...to };
    case 4: return { type: 'candidate', candidate: r.chance(0.8) ? CANDIDATE : null, ...to };
    case 5: return { type: 'bye', callId: r.id(), ...to };
    default: return { type: 'candidate', candidate: { ...CANDIDATE, usernameFragment: 'abcd', extra: [1, 2] }, ...to, from: r.id() };
  }
}

const JUNK: readonly unknown[] = [null, true, 0, -1, 1e308, 'x y', '', [], {}, [1, 'a'], { a: 1 }, 'v=0', '\u0000', '\ud800'];

function mutate(r: Rng, text: string): string {
  let s = text;
  for (let n = 1 + r.int(3); n > 0; n--) {
    const at = r.int(s.length + 1);
    switch (r.int(5)) {
      case 0: s = s.slice(0, at) + s.slice(at + 1); break;
      case 1: s = s.slice(0, at) + String.fromCharCode(r.int(128)) + s.slice(at); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(32 + r.int(95)) + s.slice(at + 1); break;
      case 3: s = s.slice(0, at); break;
      default: s = s.slice(0, at) + r.pick(['"', '{', '}', '[', ']', ',', ':', '\\', 'null', '"type"', '"__proto__"']) + s.slice(at);
    }
  }
  return s;
}

function shape(r: Rng): unknown {
  const type = r.pick(['join', 'leave', 'offer', 'answer', 'candidate', 'bye', 'welcome', 'error', 'peer-left', 'JOIN', '', 'toString', 'constructor']);
  const o: Record<string, unknown> = r.chance(0.9) ? { type } : {};
  for (const key of ['room', 'name', 'sdp', 'to', 'from', 'candidate', 'id']) if (r.chance(0.4)) o[key] = r.pick(JUNK);
  if (r.chance(0.2)) o.candidate = { candidate: r.pick(JUNK), sdpMid: r.pick(JUNK), sdpMLineIndex: r.pick(JUNK), usernameFragment: r.pick(JUNK) };
  if (r.chance(0.1)) o.room = 'r'.repeat(65);
  if (r.chance(0.1)) o.sdp = `v=0${'x'.repeat(60_001)}`;
  return r.chance(0.1) ? r.pick(JUNK) : o;
}

/** Deeply nested JSON, still under the frame limit (so the parser, not the size check, answers). */
function nested(r: Rng): string {
  if (r.chance(0.5)) {
    const depth = 100 + r.int(r.chance(0.1) ? 30_000 : 3000);
    return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  }
  const depth = 100 + r.int(r.chance(0.1) ? 6000 : 1000);
  return `${'{"type":'.repeat(depth)}"join"${'}'.repeat(depth)}`;
}

function proto(r: Rng, room: string): string {
  return r.pick([
    `{"__proto__":{"type":"join","room":"${room}"}}`,
    `{"type":"join","room":"${room}","__proto__":{"room":"elsewhere"}}`,
    `{"type":"offer","sdp":"v=0","__proto__":{"to":"AAAAAAAAAAAAAAAA"}}`,
    '{"type":"candidate","candidate":{"__proto__":{"candidate":"x"}}}',
    '{"constructor":{"prototype":{"type":"join"}},"type":"leave"}',
    '{"type":"__proto__"}',
    '{"type":"hasOwnProperty"}',
  ]);
}

/** A frame over the 64 KiB limit, in one piece or in fragments that only add up to too much. */
function oversize(r: Rng): Frame {
  const total = MAX_FRAME_BYTES + 1 + r.int(4096);
  if (r.chance(0.5)) return { kind: 'fatal', code: 1009, bytes: Buffer.alloc(total, 0x61) };
  const half = Math.ceil(total / 2);
  return { kind: 'fatal', code: 1009, fragments: [Buffer.alloc(half, 0x61), Buffer.alloc(total - half, 0x61)] };
}

/** A client frame the WebSocket layer must refuse (1002): reserved opcode, RSV bit, or unmasked. */
function protocolError(r: Rng): Frame {
  const mask = [1, 2, 3, 4];
  const masked = (first: number) => Buffer.from([first, 0x80 | 2, ...mask, 0x7b ^ 1, 0x7d ^ 2]);
  const raw = r.pick([masked(0x83), masked(0xc1), masked(0x8b), Buffer.from([0x81, 0x02, 0x7b, 0x7d]), masked(0x09 | 0x00)]);
  return { kind: 'fatal', code: 1002, raw };
}

/**
 * The `n`-th frame of a fuzz run for a socket whose own room is `room`.
 * About 1 frame in 200 is fatal (the socket is then replaced).
 */
export function nextFrame(r: Rng, room: string): Frame {
  const roll = r.int(1000);
  if (roll < 2) return { kind: 'fatal', code: 1007, bytes: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) };
  if (roll < 4) return oversize(r);
  if (roll < 6) return protocolError(r);
  if (roll < 40) return { kind: 'binary', data: Buffer.from(JSON.stringify(valid(r, room))) };
  if (roll < 80) return { kind: 'text', text: nested(r) };
  if (roll < 130) return { kind: 'text', text: proto(r, room) };
  if (roll < 400) return { kind: 'text', text: JSON.stringify(valid(r, room)) };
  if (roll < 750) return { kind: 'text', text: mutate(r, JSON.stringify(valid(r, room))) };
  return { kind: 'text', text: JSON.stringify(shape(r)) };
}
