/**
 * `npm run fuzz`: the long fuzz run (a million frames by default) against a real server on
 * 127.0.0.1, with the same checks as the fuzz test in `npm test`.
 * Options: --frames N (1000000) --seed N (random, printed) --sockets N (8).
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startTestServer } from '../helpers/server';
import { runFuzz } from './fuzz';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const { values } = parseArgs({ options: { frames: { type: 'string', default: '1000000' }, seed: { type: 'string' }, sockets: { type: 'string', default: '8' } } });
const frames = Number(values.frames);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const huge = 1_000_000;
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

console.log(`fuzz: ${frames} frames, seed ${seed} (repeat with --seed ${seed})`);
const server = await startTestServer({ limits: { messagesPerSecond: huge, messageBurst: huge }, resumeGraceMs: 0 });
gc();
const start = process.memoryUsage();
const t0 = Date.now();
let peakHeap = start.heapUsed;
try {
  const result = await runFuzz({
    server,
    frames,
    seed,
    sockets: Number(values.sockets),
    progress: (done) => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      if (done % 100_000 < 10_000) console.log(`  ${done} frames, ${Math.round(done / ((Date.now() - t0) / 1000))} frames/s, heap ${mb(m.heapUsed)}, rss ${mb(m.rss)}`);
    },
  });
  gc();
  const end = process.memoryUsage();
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s: every frame got the reply the protocol says`);
  console.log(`  errors by code: ${JSON.stringify(result.errors)}`);
  console.log(`  closes by code: ${JSON.stringify(result.closes)}; welcomes: ${result.welcomes}`);
  console.log(`  heap (server and fuzzer in one process): start ${mb(start.heapUsed)}, peak ${mb(peakHeap)}, end ${mb(end.heapUsed)}; rss end ${mb(end.rss)}`);
  console.log(`  server: ${JSON.stringify(server.stats())}`);
} catch (err) {
  console.error(`FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await server.close();
}
