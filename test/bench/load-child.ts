/**
 * One load process of the benchmark: holds some of the clients, driven over IPC by `relay.ts`.
 * Each pair of clients shares a room and may sit in two different processes. Closed loop: client A
 * sends an ICE candidate to B, B sends one back as soon as it gets it, A measures the round trip
 * (two relayed messages) and sends the next. Loopback only, and every loop stops by itself.
 */
import { performance } from 'node:perf_hooks';
import { io as connectSocketIo, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { textOf } from '../../server/signaler';

/** Which relay a client talks to. */
export type RelayKind = 'ours' | 'raw' | 'socketio' | 'variant';

/** A client this process should hold: its room and whether it starts the loop (A) or answers (B). */
export interface ClientPlan { room: string; role: 'A' | 'B' }

/** Requests from the benchmark. */
export type LoadRequest =
  | { cmd: 'connect'; kind: RelayKind; port: number; clients: ClientPlan[] }
  | { cmd: 'run'; kind: RelayKind; ms: number }
  | { cmd: 'close'; kind: RelayKind };

/** Answer to `run`: messages received and the round trips (ms) measured by A clients. */
export interface RunResult { messages: number; rtts: number[] }

const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 192.168.1.20 51234 typ srflx raddr 10.0.0.5 rport 51234 generation 0 ufrag u1Zr network-cost 999',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'u1Zr',
};

/** One benchmark client, whatever the relay. */
interface BenchClient {
  role: 'A' | 'B';
  /** Resolves when the client knows the other peer of its room. */
  ready: Promise<void>;
  send(): void;
  onSignal: () => void;
  close(): void;
}

/** The `ours-reencode` bisection variant: a trailing space makes every frame non-canonical (re-encoded, not spliced). */
const TAIL = process.env.BENCH_VARIANT === 'ours-reencode' ? ' ' : '';

function wsClient(port: number, plan: ClientPlan, tail = ''): Promise<BenchClient> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false, perMessageDeflate: false });
  let peer = 'AAAAAAAAAAAAAAAA';
  let markReady: () => void = () => undefined;
  const client: BenchClient = {
    role: plan.role,
    ready: new Promise<void>((r) => (markReady = r)),
    send: () => ws.send(JSON.stringify({ type: 'candidate', to: peer, candidate: CANDIDATE }) + tail),
    onSignal: () => undefined,
    close: () => ws.terminate(),
  };
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const text = textOf(data);
    if (text.startsWith('{"type":"candidate"')) {
      client.onSignal();
      return;
    }
    const m = JSON.parse(text) as { type: string; peers?: { id: string }[] | number; peer?: { id: string } };
    if (m.type === 'welcome') {
      if (Array.isArray(m.peers) && m.peers[0]) peer = m.peers[0].id;
      if ((Array.isArray(m.peers) ? m.peers.length : m.peers) === 1) markReady();
    } else if (m.type === 'peer-joined') {
      if (m.peer) peer = m.peer.id;
      markReady();
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'join', room: plan.room }));
      resolve(client);
    });
    ws.once('error', reject);
  });
}

function socketIoClient(port: number, plan: ClientPlan): Promise<BenchClient> {
  const socket: Socket = connectSocketIo(`https://127.0.0.1:${port}`, {
    transports: ['websocket'],
    rejectUnauthorized: false,
    reconnection: false,
  });
  let peer = '';
  let markReady: () => void = () => undefined;
  const client: BenchClient = {
    role: plan.role,
    ready: new Promise<void>((r) => (markReady = r)),
    send: () => socket.emit('peerIce', peer, CANDIDATE),
    onSignal: () => undefined,
    close: () => socket.disconnect(),
  };
  socket.on('peerIce', () => client.onSignal());
  socket.on('peer-joined', (id: string) => {
    peer = id;
    markReady();
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.emit('join', plan.room, (peers: string[]) => {
        if (peers[0]) {
          peer = peers[0];
          markReady();
        }
      });
      resolve(client);
    });
    socket.once('connect_error', reject);
  });
}

const sets = new Map<RelayKind, BenchClient[]>();

async function connect(kind: RelayKind, port: number, plans: ClientPlan[]): Promise<void> {
  const clients: BenchClient[] = [];
  sets.set(kind, clients);
  for (let i = 0; i < plans.length; i += 50) {
    const batch = plans.slice(i, i + 50).map((p) => (kind === 'socketio' ? socketIoClient(port, p) : wsClient(port, p, kind === 'variant' ? TAIL : '')));
    clients.push(...(await Promise.all(batch)));
  }
  await Promise.all(clients.map((c) => c.ready));
}

async function run(kind: RelayKind, ms: number): Promise<RunResult> {
  const clients = sets.get(kind) ?? [];
  let messages = 0;
  let running = true;
  let inFlight = 0;
  const rtts: number[] = [];
  for (const c of clients) {
    if (c.role === 'B') {
      // B always answers (its A, maybe in another process, waits for the reply to drain).
      c.onSignal = () => {
        messages++;
        c.send();
      };
      continue;
    }
    let t0 = 0;
    const fire = () => {
      t0 = performance.now();
      inFlight++;
      c.send();
    };
    c.onSignal = () => {
      messages++;
      inFlight--;
      rtts.push(performance.now() - t0);
      if (running) fire();
    };
    fire();
  }
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  const deadline = Date.now() + 2000;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { messages, rtts };
}

process.on('message', (req: LoadRequest) => {
  const reply = (v: unknown) => process.send?.(v);
  if (req.cmd === 'connect') {
    connect(req.kind, req.port, req.clients).then(() => reply({ ok: true }), (err: Error) => reply({ ok: false, error: err.message }));
  } else if (req.cmd === 'run') {
    void run(req.kind, req.ms).then(reply);
  } else {
    for (const c of sets.get(req.kind) ?? []) c.close();
    sets.delete(req.kind);
    setTimeout(() => reply({ ok: true }), 100);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
