/**
 * One relay server of the benchmark, in its own process so its CPU time and memory are its own.
 * `relay.ts` bundles it as `npm start`'s server is bundled and runs `node --expose-gc server-child.mjs
 * ours|raw|socketio|variant`; it reports `{ port }` over IPC,
 * then answers `{ cmd: 'usage' }` with its CPU time and memory (after a full GC).
 *
 * - ours: the playground server (validates every frame, stamps `from`), limits raised for the load.
 * - raw: a `ws` relay that parses only `join` and forwards every later frame untouched to the other
 *   peers of the room: the physical limit of a `ws` relay.
 * - socketio: a socket.io 4 relay written as the course code does (`io.to(peerId).emit(...)`).
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';
import { startPlaygroundServer, textOf } from '../../server/app';
import { loadOrCreateCertificate } from '../../server/cert';
import { redirectPlainHttp } from '../../server/http-redirect';
import { spliceSignal } from '../../server/relay-frame';
import { encodeSignal, parseClientMessage } from '../../src/signaling/protocol';

/**
 * What the benchmark asks a server process: `usage` (CPU time and memory after a full GC) or `cpu`
 * (CPU time only, no GC: a slice's CPU per message must not include the full GCs the memory figures need).
 */
export type ServerRequest = { cmd: 'usage' } | { cmd: 'cpu' };
/** What it answers. */
export interface ServerUsage {
  /** Process CPU time (user + system) in µs since start. */
  cpuMicros: number;
  rss: number;
  heapUsed: number;
  /** V8 heap committed (used or not): part of the RSS the JS heap holds. */
  heapTotal: number;
  /** Memory of Buffers and other native objects V8 knows about. */
  external: number;
  /** WebSocket connections the relay still holds open. */
  connections: number;
  /** Peers whose place the relay still holds for a resume (ours only; their connections are gone). */
  held: number;
}

/** Counts the relay's open connections (set by the relay that runs). */
let openConnections: () => number = () => 0;
/** Counts the peers held for a resume (ours only). */
let heldPeers: () => number = () => 0;

const kind = process.argv[2];
const tls = await loadOrCreateCertificate(join(tmpdir(), 'webrtc-playground-test-cert'), { dns: ['localhost'], ips: ['127.0.0.1'] });
const huge = 1_000_000;

/**
 * Bisection variants (`--kinds ours,raw,variant`, `BENCH_VARIANT=<name>`): the raw relay plus one
 * part of ours, as a third relay in the same alternating run, to find where our extra cost per
 * message is. Each turns the frame (Buffer) into what is forwarded, or says how it is served.
 */
const VARIANTS: Record<string, (data: Buffer) => Buffer | string> = {
  /** The raw relay again, as is: an A/A control whose ratio to raw is the bench's own noise. */
  'raw-again': (data) => data,
  /** Our relay, sent frames with a trailing space: not canonical, so re-encoded instead of spliced (ours before the splice). */
  'ours-reencode': (data) => data,
  /** The raw relay as is, in a process that also runs an idle playground server (the process, not the path). */
  'raw-in-ours': (data) => data,
  /** The raw relay behind our plain-http redirect listener. */
  'raw-listener': (data) => data,
  /** + decode the frame to a string, forward the original bytes. */
  'raw+text': (data) => (textOf(data).length > 0 ? data : data),
  /** + decode and send that string. */
  'raw+text-send': (data) => textOf(data),
  /** + decode, parse and validate, forward the original bytes. */
  'raw+parse': (data) => (parseClientMessage(textOf(data)).ok ? data : data),
  /** + decode, parse, validate, re-encode (`encodeSignal`) and send the string: our path before the splice. */
  'raw+encode': (data) => {
    const p = parseClientMessage(textOf(data));
    return p.ok && p.message.type === 'candidate' ? encodeSignal({ type: 'candidate', from: 'FROMFROMFROMFROM', candidate: p.message.candidate }) : data;
  },
  /** + check the frame byte by byte and splice the relayed frame from its bytes (no parse): our fast path now. */
  'raw+splice': (data) => spliceSignal(data, 'FROMFROMFROMFROM')?.frame ?? data,
};

async function raw(forward: (data: Buffer) => Buffer | string = (data) => data, listener = false): Promise<number> {
  const server = createServer({ cert: tls.cert, key: tls.key });
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, maxPayload: 64 * 1024 });
  const rooms = new Map<string, Set<WebSocket>>();
  openConnections = () => wss.clients.size;
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    let room: Set<WebSocket> | null = null;
    ws.on('message', (data, isBinary) => {
      if (room) {
        const out = forward(data as Buffer);
        for (const other of room) if (other !== ws) other.send(out, { binary: isBinary });
        return;
      }
      const name = String((JSON.parse(textOf(data)) as { room?: unknown }).room);
      room = rooms.get(name) ?? new Set();
      rooms.set(name, room);
      room.add(ws);
      ws.send(JSON.stringify({ type: 'welcome', peers: room.size - 1 }));
      for (const other of room) if (other !== ws) other.send(JSON.stringify({ type: 'peer-joined' }));
    });
    ws.on('close', () => {
      room?.delete(ws);
    });
  });
  const front = listener ? redirectPlainHttp(server) : server;
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  return (front.address() as AddressInfo).port;
}

async function variant(): Promise<number> {
  const name = process.env.BENCH_VARIANT ?? '';
  const forward = VARIANTS[name];
  if (!forward) throw new Error(`BENCH_VARIANT must be one of ${Object.keys(VARIANTS).join(', ')}`);
  if (name === 'ours-reencode') return ours();
  if (name === 'raw-in-ours') await ours();
  return raw(forward, name === 'raw-listener');
}

async function socketio(): Promise<number> {
  const server = createServer({ cert: tls.cert, key: tls.key });
  const io = new SocketIoServer(server, { transports: ['websocket'], perMessageDeflate: false });
  openConnections = () => io.engine.clientsCount;
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack: (peers: string[]) => void) => {
      const peers = [...(io.sockets.adapter.rooms.get(room) ?? [])];
      void socket.join(room);
      socket.to(room).emit('peer-joined', socket.id);
      ack(peers);
    });
    socket.on('peerIce', (peerId: string, candidate: unknown) => {
      io.to(peerId).emit('peerIce', peerId, candidate, socket.id);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function ours(): Promise<number> {
  const server = await startPlaygroundServer({
    tls,
    port: 0,
    host: '127.0.0.1',
    staticDirs: [],
    capacity: 2,
    log: () => undefined,
    ...(process.env.BENCH_RESUME_GRACE_MS ? { resumeGraceMs: Number(process.env.BENCH_RESUME_GRACE_MS) } : {}),
    limits: { maxConnections: huge, maxConnectionsPerAddress: huge, maxRooms: huge, messagesPerSecond: huge, messageBurst: huge },
  });
  openConnections = () => server.stats().connections;
  heldPeers = () => server.relay.held().length;
  return server.port;
}

const port = kind === 'raw' ? await raw() : kind === 'socketio' ? await socketio() : kind === 'variant' ? await variant() : await ours();
const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (req: ServerRequest) => {
  // CPU time first: the full GCs below are the bench's own cost, not the relay's.
  const cpu = process.cpuUsage();
  if (req.cmd === 'cpu') {
    process.send?.({ cpuMicros: cpu.user + cpu.system });
    return;
  }
  gc?.();
  gc?.();
  const mem = process.memoryUsage();
  process.send?.({ cpuMicros: cpu.user + cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, connections: openConnections(), held: heldPeers() } satisfies ServerUsage);
});
process.on('disconnect', () => process.exit(0));
process.send?.({ port });
