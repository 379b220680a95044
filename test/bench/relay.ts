/**
 * `npm run bench`: one-way latency of a 232-byte-ish signaling message, two clients, one message in
 * flight, measured side by side in one run: through the real server (wss on loopback) and through the
 * in-page Relay (no network: the parsing + routing cost alone). Prints p50/p99 in ms and their ratio.
 * Bounded: 2 000 messages per path, loopback only.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { encodeMessage } from '../../src/signaling/protocol';
import { Relay } from '../../src/signaling/relay';
import { startTestServer } from '../helpers/server';
import { textOf } from '../../server/app';

const N = 2000;
const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n${'a=x\r\n'.repeat(20)}`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function viaServer(): Promise<number[]> {
  const server = await startTestServer();
  const url = `wss://127.0.0.1:${server.port}/ws`;
  const open = (ws: WebSocket) => new Promise((r) => ws.once('open', r));
  const a = new WebSocket(url, { rejectUnauthorized: false });
  const b = new WebSocket(url, { rejectUnauthorized: false });
  await Promise.all([open(a), open(b)]);
  const next = (ws: WebSocket) => new Promise<string>((r) => ws.once('message', (d) => r(textOf(d))));
  a.send(encodeMessage({ type: 'join', room: 'bench' }));
  await next(a);
  b.send(encodeMessage({ type: 'join', room: 'bench' }));
  await Promise.all([next(b), next(a)]);
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const got = next(b);
    const t0 = performance.now();
    a.send(encodeMessage({ type: 'offer', sdp: SDP }));
    await got;
    times.push(performance.now() - t0);
  }
  a.close();
  b.close();
  await server.close();
  return times;
}

function viaRelay(): number[] {
  const relay = new Relay();
  let received = 0;
  const a = relay.connect({ send: () => undefined });
  const b = relay.connect({ send: () => { received++; } });
  relay.receive(a, encodeMessage({ type: 'join', room: 'bench' }));
  relay.receive(b, encodeMessage({ type: 'join', room: 'bench' }));
  const times: number[] = [];
  const frame = encodeMessage({ type: 'offer', sdp: SDP });
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    relay.receive(a, frame);
    times.push(performance.now() - t0);
  }
  if (received < N) throw new Error('relay lost messages');
  return times;
}

const relayTimes = viaRelay();
const serverTimes = await viaServer();
const row = (name: string, t: number[]) => console.log(`${name.padEnd(28)} p50 ${pct(t, 50).toFixed(3)} ms   p99 ${pct(t, 99).toFixed(3)} ms`);
console.log(`one-way latency of an offer (${SDP.length} chars of SDP), ${N} messages each`);
row('in-process Relay (routing)', relayTimes);
row('server over wss (loopback)', serverTimes);
console.log(`ratio server/relay at p50: ${(pct(serverTimes, 50) / pct(relayTimes, 50)).toFixed(1)}x  (network + TLS + ws framing cost)`);
