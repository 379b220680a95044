/**
 * Backpressure against a real server on port 0: a recipient that stops reading is cut off once its
 * unsent backlog passes the cap (close 1013), its room is told, and server memory stays bounded
 * however much the sender goes on sending.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer } from '../helpers/server';
import { TestClient } from '../helpers/test-client';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAndBuffers(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

const SDP = `v=0\r\n${'a=x-filler:0123456789abcdef0123456789abcdef0123456789abcdef\r\n'.repeat(950)}`;

test('a recipient that stops reading is cut off with 1013, the room hears peer-left, memory stays bounded', async () => {
  const cap = 256 * 1024;
  const huge = 1_000_000;
  const logs: string[] = [];
  const server = await startTestServer({ limits: { maxBufferedBytes: cap, messagesPerSecond: huge, messageBurst: huge }, log: (l) => logs.push(l) });
  const url = `wss://127.0.0.1:${server.port}/ws`;
  const sender = new TestClient(url);
  const reader = new TestClient(url);
  try {
    await Promise.all([sender.open(), reader.open()]);
    await sender.join('slow-reader');
    const readerId = await reader.join('slow-reader');
    await sender.nextOf('peer-joined');
    const start = heapAndBuffers();
    reader.ws.pause(); // stops reading its socket: the server's queue for it grows
    const frame = JSON.stringify({ type: 'offer', sdp: SDP });
    let sentBytes = 0;
    let cutAfter = -1;
    // Bounded: at most 3,000 frames of ~57 KB (170 MB); the cut-off comes long before.
    for (let i = 0; i < 3000 && cutAfter < 0; i++) {
      sender.ws.send(frame);
      sentBytes += frame.length;
      if (i % 20 === 19) {
        await new Promise((r) => setTimeout(r, 5));
        if (sender.inbox.some((m) => m.type === 'peer-left')) cutAfter = sentBytes;
      }
    }
    assert.ok(cutAfter > 0, 'the reader was cut off');
    const left = await sender.nextOf('peer-left');
    assert.is(left.id, readerId);
    assert.is(server.stats().closedBackpressure, 1);
    assert.match(logs.join('\n'), /\(1013\): not reading/);
    // Keep sending as much again into the room: nobody is queued for, nothing piles up.
    for (let i = 0; i < 200; i++) {
      sender.ws.send(frame);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
    }
    // Measure once everything sent has reached the server and been handled: the test client's own
    // send queue drains, then a bad frame's error reply (answered in order) proves the server is done.
    for (let waited = 0; sender.ws.bufferedAmount > 0 && waited < 20_000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    sender.ws.send('not json');
    await sender.nextOf('error', 20_000);
    const grown = heapAndBuffers() - start;
    assert.ok(grown < 16 * 1024 * 1024, `server + test process grew ${(grown / 1048576).toFixed(1)} MB after ${((cutAfter + 200 * frame.length) / 1048576).toFixed(0)} MB sent`);
    reader.ws.resume(); // it reads its backlog, then learns why it was closed
    const { code, reason } = await reader.closed;
    assert.is(code, 1013);
    assert.match(reason, /not reading/);
    assert.is(sender.ws.readyState, sender.ws.OPEN, 'the sender is not punished for it');
  } finally {
    sender.ws.terminate();
    reader.ws.terminate();
    await server.close();
  }
});

test.run();
