/**
 * Bounded fuzz test of the signaler (about 20,000 seeded frames; `npm run fuzz` runs a million).
 * Reproduce a failure with `FUZZ_SEED=<seed> node test/run.mjs unit fuzz`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFuzz } from '../fuzz/fuzz';
import { startTestServer } from '../helpers/server';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const seed = Number(process.env.FUZZ_SEED ?? 20261130);
const huge = 1_000_000;

test(`fuzz: 20,000 hostile frames (seed ${seed}) each get the reply the protocol says; other rooms see nothing; memory bounded`, async () => {
  // Rate limits are tested on their own; here they must not hide the parser's answers.
  // Resume grace off: a socket closed for a bad frame leaves its room at once.
  const server = await startTestServer({ limits: { messagesPerSecond: huge, messageBurst: huge }, resumeGraceMs: 0 });
  try {
    gc();
    const before = process.memoryUsage().heapUsed;
    const result = await runFuzz({ server, frames: 20_000, seed });
    assert.ok(result.frames >= 20_000);
    for (const code of ['bad-json', 'bad-message', 'not-in-room', 'already-in-room', 'unknown-peer']) {
      assert.ok((result.errors[code] ?? 0) > 10, `${code} was exercised (${result.errors[code] ?? 0})`);
    }
    for (const code of ['1007', '1009', '1002']) assert.ok((result.closes[code] ?? 0) > 5, `close ${code} was exercised (${result.closes[code] ?? 0})`);
    assert.ok(result.welcomes > 10);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 32 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MB`);
    const deadline = Date.now() + 5000;
    while (server.relay.rooms().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.is(server.relay.rooms().length, 0, 'every closed fuzz socket left its room');
  } finally {
    await server.close();
  }
});

test.run();
