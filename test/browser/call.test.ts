import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { openUserPage, textOf, waitForState, type UserPage } from '../helpers/browser';
import { browserSuite } from '../helpers/suite';

const test = browserSuite('call page');

/** Inbound media counters read from the page's debug object (getStats inbound-rtp). */
async function inbound(page: Page): Promise<{ framesDecoded: number; audioSamples: number }> {
  return page.evaluate(async () => {
    type Dbg = { playground?: { call?: { peer?: { pc: RTCPeerConnection } | null } } };
    const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
    let framesDecoded = 0;
    let audioSamples = 0;
    if (!pc) return { framesDecoded, audioSamples };
    (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number; totalSamplesReceived?: number }) => {
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'video') framesDecoded += r.framesDecoded ?? 0;
      if (r.kind === 'audio') audioSamples += r.totalSamplesReceived ?? 0;
    });
    return { framesDecoded, audioSamples };
  });
}

async function join(page: Page): Promise<void> {
  await page.click('#join');
  await waitForState(page, '#room-state', 'joined');
}

/** The call the tests share, one feature each, in order: A and B in one room. */
let call: { url: string; a: UserPage; b: UserPage };

test.before(async ({ server, tb }) => {
  const url = `${server.url}call.html?room=test-call-1`;
  call = { url, a: await openUserPage(tb.browser, url), b: await openUserPage(tb.browser, url) };
});

test.after(async () => {
  await call.a.context.close();
  await call.b.context.close();
});

test.after.each(() => {
  assert.equal([...call.a.errors, ...call.b.errors], [], 'no page errors, console errors or failed requests');
});

test('two peers join one room, connect, and decode each other\'s media', async () => {
  const { a, b } = call;
  await join(a.page);
  assert.match(await textOf(a.page, '#peers'), /Nobody else yet/);
  await join(b.page);
  await waitForState(a.page, '#call-state', 'connected');
  await waitForState(b.page, '#call-state', 'connected');
  for (const { page } of [a, b]) {
    assert.is(await page.$eval('#connection-state', (e) => (e as HTMLElement).dataset.state), 'connected');
    assert.is(await page.$eval('#signaling-state', (e) => (e as HTMLElement).dataset.state), 'stable');
    assert.ok(['connected', 'completed'].includes(await page.$eval('#ice-connection-state', (e) => (e as HTMLElement).dataset.state ?? '')));
  }
  // Media really flows both ways: frames decoded and audio samples grow over time.
  for (const { page } of [a, b]) {
    await page.bringToFront();
    const first = await inbound(page);
    await page.waitForFunction(
      async (f0: number) => {
        const pc = (globalThis as { playground?: { call?: { peer?: { pc: RTCPeerConnection } } } }).playground?.call?.peer?.pc;
        let frames = 0;
        (await pc?.getStats())?.forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
        });
        return frames > f0 + 5;
      },
      { timeout: 10_000, polling: 200 },
      first.framesDecoded,
    );
    const later = await inbound(page);
    assert.ok(later.audioSamples > first.audioSamples, 'audio samples arrive');
    assert.ok((await page.$eval('#remote-video', (v) => (v as HTMLVideoElement).videoWidth)) > 0, 'remote video has a size');
  }
  // Peers list shows the other one.
  assert.is(await a.page.$$eval('#peers li[data-peer]', (l) => l.length), 1);
});

test('a third peer is told the room is full', async ({ tb }) => {
  const third = await openUserPage(tb.browser, call.url);
  try {
    await third.page.click('#join');
    await waitForState(third.page, '#room-state', 'full');
    assert.is(await third.page.$eval('#problem', (e) => (e as HTMLElement).dataset.error), 'room-full');
    assert.match(await textOf(third.page, '#problem'), /room is full/i);
    // The two in the call noticed nothing.
    for (const { page } of [call.a, call.b]) assert.is(await page.$eval('#call-state', (e) => (e as HTMLElement).dataset.state), 'connected');
  } finally {
    await third.context.close();
  }
});

test('hang up is seen by the other side; both go back to idle with "Call again" enabled', async () => {
  const { a, b } = call;
  await a.page.click('#hangup');
  await waitForState(b.page, '#call-state', 'idle');
  await waitForState(a.page, '#call-state', 'idle');
  assert.match(await textOf(b.page, '#remote-caption'), /hung up/);
  assert.is(await b.page.$eval('#call', (e) => (e as HTMLButtonElement).disabled), false);
});

test('"Call again" from the side that was hung up on connects again', async () => {
  const { a, b } = call;
  await b.page.click('#call');
  await waitForState(a.page, '#call-state', 'connected');
  await waitForState(b.page, '#call-state', 'connected');
});

test('glare: both press "Call again" at the same moment; perfect negotiation (the polite side rolls back) still ends in one connected call', async () => {
  const { a, b } = call;
  await a.page.click('#hangup');
  await waitForState(b.page, '#call-state', 'idle');
  await Promise.all([a, b].map(({ page }) => page.evaluate(() => document.querySelector<HTMLButtonElement>('#call')?.click())));
  await waitForState(a.page, '#call-state', 'connected');
  await waitForState(b.page, '#call-state', 'connected');
});

test('Leave on one side: the other sees the peer leave', async () => {
  const { a, b } = call;
  await b.page.click('#leave');
  await waitForState(a.page, '#call-state', 'idle');
  assert.match(await textOf(a.page, '#remote-caption'), /left the room/);
});

test.run();
