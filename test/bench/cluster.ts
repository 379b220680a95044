/**
 * `npm run bench`, cluster row: relay latency (p50/p99) and throughput of signaling messages
 * through one signaler process (rooms in memory) vs two processes sharing rooms through Redis,
 * with the two peers of every room on different processes. Side by side in one run: the
 * configurations take turns in short slices, all servers running the whole time.
 *
 * Load: CLIENTS clients in rooms of 2, closed loop (each peer answers the message it got, so one
 * message per room is always in flight), an offer of ~400 chars carrying its send time.
 * Server CPU: user+system time of the signaler processes (and redis-server) per 1000 messages.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { textOf } from '../../server/signaler';
import { spawnSignaler, type ChildSignaler } from '../helpers/cluster';
import { startRedis } from '../helpers/redis';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAD = 'a=x\r\n'.repeat(60);

interface Config {
  name: string;
  /** wss URL for the first and the second peer of each room. */
  urls: [string, string];
  pids: () => (number | undefined)[];
}

interface Sample { latencies: number[]; messages: number; ms: number; cpuMs: number }

/** CPU time (user + system) of `pid` in ms, from /proc (Linux); 0 elsewhere. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { rejectUnauthorized: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextJson(ws: WebSocket): Promise<{ type: string; id?: string }> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(textOf(d)) as { type: string; id?: string })));
}

/** Runs one slice of closed-loop load on fresh rooms. */
async function slice(config: Config, tag: string): Promise<Sample> {
  const pairs: [WebSocket, WebSocket][] = [];
  for (let i = 0; i < CLIENTS / 2; i++) {
    const [a, b] = await Promise.all([open(config.urls[0]), open(config.urls[1])]);
    const room = `bench-${tag}-${i}`;
    const wa = nextJson(a);
    a.send(JSON.stringify({ type: 'join', room }));
    await wa;
    const joined = nextJson(a);
    const wb = nextJson(b);
    b.send(JSON.stringify({ type: 'join', room }));
    await Promise.all([wb, joined]);
    pairs.push([a, b]);
  }
  const latencies: number[] = [];
  let messages = 0;
  let running = true;
  const send = (ws: WebSocket) => ws.send(`{"type":"offer","sdp":"v=0\\r\\na=ts:${performance.now()}\\r\\n${PAD.replaceAll('\r\n', '\\r\\n')}"}`);
  for (const [a, b] of pairs) {
    for (const [me, other] of [[a, b], [b, a]] as const) {
      me.on('message', (data) => {
        const text = textOf(data);
        const at = text.indexOf('a=ts:');
        if (at < 0) return;
        latencies.push(performance.now() - Number.parseFloat(text.slice(at + 5, text.indexOf('\\r', at))));
        messages++;
        if (running) send(me);
        void other;
      });
    }
  }
  const pids = config.pids();
  const cpu0 = pids.reduce<number>((s, p) => s + cpuMs(p), 0);
  const t0 = performance.now();
  for (const [a] of pairs) send(a);
  await new Promise((r) => setTimeout(r, SLICE_MS));
  running = false;
  const ms = performance.now() - t0;
  const cpu = pids.reduce<number>((s, p) => s + cpuMs(p), 0) - cpu0;
  for (const [a, b] of pairs) {
    a.terminate();
    b.terminate();
  }
  return { latencies, messages, ms, cpuMs: cpu };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

const redis = await startRedis();
const children: ChildSignaler[] = [];
try {
  const single = await spawnSignaler(undefined, ['--capacity', '2']);
  const c1 = await spawnSignaler(redis.url);
  const c2 = await spawnSignaler(redis.url);
  children.push(single, c1, c2);
  const configs: Config[] = [
    { name: 'one process (memory)', urls: [single.wsUrl, single.wsUrl], pids: () => [single.child.pid] },
    { name: 'two processes + Redis', urls: [c1.wsUrl, c2.wsUrl], pids: () => [c1.child.pid, c2.child.pid, redis.pid] },
  ];
  const results = new Map<string, Sample[]>(configs.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, config] of configs.entries()) results.get(config.name)?.push(await slice(config, `${round}-${i}`));
  }
  console.log(`\ncluster: ${CLIENTS} clients in rooms of 2, closed loop, ${ROUNDS} alternating slices of ${SLICE_MS} ms each`);
  const summary = configs.map((config) => {
    const samples = results.get(config.name) ?? [];
    const lat = samples.flatMap((s) => s.latencies);
    const messages = samples.reduce((s, x) => s + x.messages, 0);
    const ms = samples.reduce((s, x) => s + x.ms, 0);
    const cpu = samples.reduce((s, x) => s + x.cpuMs, 0);
    return { name: config.name, p50: pct(lat, 50), p99: pct(lat, 99), rate: (messages * 1000) / ms, cpuPerK: (cpu * 1000) / Math.max(1, messages) };
  });
  for (const r of summary) {
    console.log(`${r.name.padEnd(24)} p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   ${r.rate.toFixed(0).padStart(6)} msg/s   server CPU ${r.cpuPerK.toFixed(1)} ms per 1000 msg`);
  }
  const [one, two] = summary;
  if (one && two) {
    const ratio = two.p99 / one.p99;
    console.log(`cross-process / one process: p99 ${ratio.toFixed(2)}x (goal ≤ 2x: ${ratio <= 2 ? 'met' : 'NOT met'}), throughput ${(two.rate / one.rate).toFixed(2)}x, CPU per message ${(two.cpuPerK / one.cpuPerK).toFixed(2)}x`);
  }
} finally {
  for (const c of children) await c.kill();
  await redis.stop();
}
