/**
 * `npm run bench`, call setup: the timeline of a call (`--timeline`). Each signaling message's hops
 * through the server (hooks on the `ws` library's WebSocket: the server runs in the benchmark's
 * process) and each step the pages' probes recorded, in ms from the first offer; printed per kind
 * as medians over the calls, in order: where the time of a setup goes.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { ProbeRecord } from './call-probe';

/** The median of `xs` (NaN for none). */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * With --timeline: when the server got each signaling message and when it sent each one on
 * (epoch ms), from hooks on the `ws` library's WebSocket (the server runs in this process).
 */
const serverEvents: { t: number; what: string }[] = [];

/** Forgets the server's events so far (before each call). */
export function clearServerEvents(): void {
  serverEvents.length = 0;
}

/** Starts recording the server's side of every signaling message (see {@link steps}). */
export function watchServerSockets(): void {
  const typeOf = (data: unknown): string => /"type":"([a-z-]+)"/.exec(String(data).slice(0, 40))?.[1] ?? '?';
  const clock = (): number => performance.timeOrigin + performance.now();
  // puppeteer's own CDP sockets use the same library: only the server's end of a socket counts.
  type Socket = WebSocket & { emit(event: string | symbol, ...args: unknown[]): boolean; _isServer?: boolean };
  const proto = WebSocket.prototype as Socket;
  const emit = Reflect.get(proto, 'emit') as Socket['emit'];
  const send = Reflect.get(proto, 'send') as WebSocket['send'];
  proto.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
    if (event !== 'message' || !this._isServer) return emit.call(this, event, ...args);
    const t = clock();
    const result = emit.call(this, event, ...args);
    serverEvents.push({ t, what: `server got ${typeOf(args[0])}` }, { t: clock(), what: `server handled ${typeOf(args[0])}` });
    return result;
  };
  proto.send = function (this: Socket, ...args: Parameters<WebSocket['send']>) {
    if (this._isServer) serverEvents.push({ t: clock(), what: `server sent ${typeOf(args[0])}` });
    send.apply(this, args);
  } as WebSocket['send'];
}

/**
 * Each connection's steps in the pages of one call, and the server's hops of its messages, in ms
 * from the first offer `t0` (epoch ms): `p1.pc0 setRemoteDescription done`, `server sent offer`;
 * a label seen again gets `#2`, `#3`.
 */
export function steps(recs: ProbeRecord[], t0: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of serverEvents) {
    if (e.t < t0 - 1000) continue;
    const base = e.what;
    let label = base;
    for (let n = 2; out.has(label); n++) label = `${base} #${n}`;
    out.set(label, e.t - t0);
  }
  recs.forEach((r, page) => {
    for (const e of r.events) {
      const base = `${recs.length > 1 ? `p${page}.` : ''}${e.pc < 0 ? '' : `pc${e.pc} `}${e.what}`;
      let label = base;
      for (let n = 2; out.has(label); n++) label = `${base} #${n}`;
      out.set(label, e.t - t0);
    }
  });
  return out;
}

/** Prints the median time of each step seen in at least half of `kind`'s calls, in order. */
export function printTimeline(kind: string, all: { steps: Map<string, number> }[]): void {
  const labels = new Set(all.flatMap((s) => [...s.steps.keys()]));
  const rows = [...labels]
    .map((label) => ({ label, ts: all.flatMap((s) => s.steps.get(label) ?? []) }))
    .filter((r) => r.ts.length * 2 >= all.length)
    .map((r) => ({ label: r.label, t: median(r.ts) }))
    .sort((a, b) => a.t - b.t);
  console.log(`\n  timeline of ${kind} (median ms from the first offer; pN = page, pcN = connection in the order made)`);
  for (const r of rows) console.log(`  ${r.t.toFixed(1).padStart(8)}  ${r.label}`);
}
