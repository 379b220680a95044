/**
 * The fuzz run: several sockets send seeded hostile frames (see frames.ts) to a real server while an
 * observer sits in another room. Every reply is checked against what the protocol says must happen
 * (the same parser decides what is valid; a small model tracks whether the socket is in its room):
 * every bad frame gets its typed `error`, fatal frames close with the right code, the server never
 * dies, the observer sees nothing, and memory stays bounded.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { PlaygroundServer } from '../../server/app';
import { parseClientMessage, parseServerMessage, type ServerMessage } from '../../src/signaling/protocol';
import { TestClient } from '../helpers/test-client';
import { nextFrame, Rng, type Frame } from './frames';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  server: PlaygroundServer;
  frames: number;
  seed: number;
  /** Sockets fuzzing in parallel. Default 8. */
  sockets?: number;
  /** Frames per batch before a sentinel is awaited. Default 40. */
  batch?: number;
  /** Called every ~10,000 frames. */
  progress?: (done: number) => void;
}

/** What a fuzz run did. */
export interface FuzzResult {
  frames: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
  welcomes: number;
}

/** Thrown when the server did something the protocol does not allow; says how to reproduce. */
export class FuzzFailure extends Error {}

const SENTINEL = JSON.stringify({ type: 'bye', to: 'ZZZZZZZZZZZZZZZZ', callId: 'sentinel' });

type Expect = { type: 'error'; code: string } | { type: 'welcome' };

/** What the server must answer to `frame` (a text or binary frame), updating the room model. */
function expectFor(frame: Frame, state: { inRoom: boolean }): Expect | null {
  if (frame.kind === 'binary') return { type: 'error', code: 'bad-message' };
  if (frame.kind !== 'text') return null;
  const parsed = parseClientMessage(frame.text);
  if (!parsed.ok) return { type: 'error', code: parsed.error.code };
  const m = parsed.message;
  switch (m.type) {
    case 'join':
      if (state.inRoom) return { type: 'error', code: 'already-in-room' };
      state.inRoom = true;
      return { type: 'welcome' };
    case 'leave':
      if (!state.inRoom) return { type: 'error', code: 'not-in-room' };
      state.inRoom = false;
      return null;
    case 'offer':
    case 'answer':
    case 'candidate':
    case 'bye':
    case 'progress':
      if (!state.inRoom) return { type: 'error', code: 'not-in-room' };
      return m.to === undefined ? null : { type: 'error', code: 'unknown-peer' };
  }
}

async function openSocket(url: string): Promise<TestClient> {
  const c = new TestClient(url);
  await c.open();
  return c;
}

function sendFatal(c: TestClient, f: Extract<Frame, { kind: 'fatal' }>): void {
  if (f.raw) {
    (c.ws as unknown as { _socket: Duplex })._socket.write(f.raw);
  } else if (f.fragments) {
    f.fragments.forEach((part, i) => c.ws.send(part, { binary: false, fin: i === (f.fragments?.length ?? 0) - 1 }));
  } else if (f.bytes) {
    c.ws.send(f.bytes, { binary: false });
  }
}

/**
 * Runs the fuzz. Resolves with counts, or rejects with a {@link FuzzFailure} naming the seed, the
 * socket and the frame that went wrong.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const url = `wss://127.0.0.1:${options.server.port}/ws`;
  const sockets = options.sockets ?? 8;
  const batch = options.batch ?? 40;
  const result: FuzzResult = { frames: 0, errors: {}, closes: {}, welcomes: 0 };
  const observer = await openSocket(url);
  const observerRoom = `observer-${new Rng(options.seed).id()}`;
  await observer.join(observerRoom);
  const perSocket = Math.ceil(options.frames / sockets);
  let nextProgress = 10_000;

  const worker = async (index: number): Promise<void> => {
    const r = new Rng(options.seed * 1000 + index);
    const room = `fz-${index}-${r.id().slice(0, 8)}`;
    let c = await openSocket(url);
    const state = { inRoom: false };
    const fail = (what: string, frame?: Frame): never => {
      const shown = frame?.kind === 'text' ? JSON.stringify(frame.text.slice(0, 200)) : frame?.kind;
      throw new FuzzFailure(`seed ${options.seed}, socket ${index}, after ${result.frames} frames: ${what}${shown ? `; frame ${shown}` : ''}`);
    };
    for (let sent = 0; sent < perSocket;) {
      const expected: { expect: Expect; frame: Frame }[] = [];
      let fatal: Extract<Frame, { kind: 'fatal' }> | null = null;
      for (let i = 0; i < batch && sent < perSocket; i++, sent++) {
        const frame = nextFrame(r, room);
        result.frames++;
        if (frame.kind === 'fatal') {
          fatal = frame;
          break;
        }
        if (frame.kind === 'binary') c.ws.send(frame.data, { binary: true });
        else c.send(frame.text);
        const e = expectFor(frame, state);
        if (e) expected.push({ expect: e, frame });
      }
      if (fatal) sendFatal(c, fatal);
      else {
        c.send(SENTINEL);
        expected.push({ expect: { type: 'error', code: state.inRoom ? 'unknown-peer' : 'not-in-room' }, frame: { kind: 'text', text: SENTINEL } });
      }
      for (const { expect, frame } of expected) {
        let got: ServerMessage;
        try {
          got = await c.next(10_000);
        } catch {
          return fail(`no reply (expected ${JSON.stringify(expect)})`, frame);
        }
        if (!parseServerMessage(JSON.stringify(got)).ok) fail(`an invalid server message ${JSON.stringify(got)}`, frame);
        if (got.type !== expect.type || (got.type === 'error' && expect.type === 'error' && got.code !== expect.code)) {
          fail(`got ${JSON.stringify(got).slice(0, 200)}, expected ${JSON.stringify(expect)}`, frame);
        }
        if (got.type === 'error') result.errors[got.code] = (result.errors[got.code] ?? 0) + 1;
        else result.welcomes++;
      }
      if (fatal) {
        const { code } = await Promise.race([c.closed, new Promise<{ code: number }>((r2) => setTimeout(() => r2({ code: -1 }), 10_000))]);
        if (code !== fatal.code) fail(`closed with ${code}, expected ${fatal.code}`, fatal);
        if (c.inbox.length > 0) fail(`unexpected ${JSON.stringify(c.inbox[0])} before the close`, fatal);
        result.closes[code] = (result.closes[code] ?? 0) + 1;
        c = await openSocket(url);
        state.inRoom = false;
      } else if (c.inbox.length > 0) {
        fail(`an extra message ${JSON.stringify(c.inbox[0]).slice(0, 200)}`);
      }
      if (result.frames >= nextProgress) {
        nextProgress += 10_000;
        options.progress?.(result.frames);
      }
    }
    c.ws.terminate();
  };

  try {
    await Promise.all(Array.from({ length: sockets }, (_, i) => worker(i)));
    if (observer.inbox.length > 0) throw new FuzzFailure(`seed ${options.seed}: the observer in another room received ${JSON.stringify(observer.inbox[0])}`);
    if (observer.ws.readyState !== WebSocket.OPEN) throw new FuzzFailure(`seed ${options.seed}: the observer was disconnected`);
    observer.send(SENTINEL);
    const m = await observer.next(10_000);
    if (m.type !== 'error' || m.code !== 'unknown-peer') throw new FuzzFailure(`seed ${options.seed}: the server stopped answering (${JSON.stringify(m)})`);
  } finally {
    observer.ws.terminate();
  }
  return result;
}
