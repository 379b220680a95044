/**
 * The media watchdog (src/rtc/media-watchdog.ts): after an ICE restart, RTP packets that stop
 * arriving while connected are a stall; growing packets, nothing ever received, or a connection
 * that is not connected are not. With a fake packet counter and short times.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inboundPackets, MediaWatchdog } from '../../src/rtc/media-watchdog';
import { connectedPair, FakeServer, waitFor } from '../helpers/call-harness';
import { FakeNetwork } from '../helpers/fake-network';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watchdog over a counter the test moves: `grow` true adds packets at every read. */
function rig(start: number, opts: { grow?: () => boolean; connected?: () => boolean } = {}) {
  let n = start;
  const stalls: [number, boolean][] = [];
  const dog = new MediaWatchdog({
    packetsReceived: async () => (opts.grow?.() ? (n += 10) : n),
    connected: opts.connected ?? (() => true),
    stallMs: 120,
    intervalMs: 20,
    watchMs: 600,
  });
  dog.on('stall', (ms, again) => stalls.push([ms, again]));
  return { dog, stalls };
}

test('packets that stop after a restart while connected: one stall; the watchdog\'s own restart stalling too says "again"', async () => {
  const { dog, stalls } = rig(500);
  dog.watch();
  await sleep(300);
  assert.equal(stalls, [[120, false]]);
  assert.is(dog.watching, false, 'it stops after a stall');
  dog.watch(true);
  await sleep(300);
  assert.equal(stalls, [[120, false], [120, true]]);
  dog.stop();
});

test('no stall: packets keep growing; nothing ever received; not connected; not watching without a restart', async () => {
  const growing = rig(500, { grow: () => true });
  const empty = rig(0);
  const down = rig(500, { connected: () => false });
  const idle = rig(500);
  for (const r of [growing, empty, down]) r.dog.watch();
  await sleep(300);
  for (const r of [growing, empty, down, idle]) assert.equal(r.stalls, []);
  await sleep(400);
  assert.is(growing.dog.watching, false, 'it watches only for a while after the restart');
  for (const r of [growing, empty, down, idle]) r.dog.stop();
});

test('packets that resume before the stall time are no stall', async () => {
  let flowing = false;
  const { dog, stalls } = rig(500, { grow: () => flowing });
  dog.watch();
  await sleep(80);
  flowing = true;
  await sleep(200);
  assert.equal(stalls, []);
  dog.stop();
});

test('inboundPackets sums inbound-rtp packets of every kind, nothing else', async () => {
  const stats = new Map<string, { type: string; kind?: string; packetsReceived?: number }>([
    ['a', { type: 'inbound-rtp', kind: 'audio', packetsReceived: 30 }],
    ['v', { type: 'inbound-rtp', kind: 'video', packetsReceived: 12 }],
    ['o', { type: 'outbound-rtp', kind: 'video' }],
    ['t', { type: 'transport', packetsReceived: 99 }],
  ]);
  const pc = { getStats: async () => stats } as unknown as RTCPeerConnection;
  assert.is(await inboundPackets(pc), 42);
});

test('in a call: after the other side restarts ICE, media that stops here makes this side restart ICE once (and say so), then explain', async () => {
  const [a, b] = await connectedPair(new FakeServer(), new FakeNetwork(), 'stall', { mediaStallMs: 150 });
  const stalls: boolean[] = [];
  b.session.on('mediastall', (_ms, restarted) => stalls.push(restarted));
  const bpc = b.pc();
  if (!bpc) throw new Error('b has no connection');
  bpc.packetsIn = 500; // media came in before the restart, and now stops
  const offers = bpc.offersMade;
  a.session.restartIce();
  await waitFor(() => stalls.length === 1, 'b noticed the stall', 3000);
  assert.equal(stalls, [true], 'b restarted ICE itself');
  await waitFor(() => bpc.offersMade === offers + 1, 'b sent its own ICE-restart offer', 3000);
  await waitFor(() => b.events.includes('problem:MediaStalled'), 'b explained it when its own restart did not help', 3000);
  assert.equal(stalls, [true, false]);
  assert.is(b.session.callState, 'connected', 'the call itself is not ended');
  assert.not.ok(a.events.some((e) => e.includes('MediaStalled')), 'a, whose media was fine (none counted), says nothing');
  a.session.close();
  b.session.close();
});

test.run();
