import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { launchBrowser, openUserPage, waitForState, type TestBrowser, type UserPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

type Ctx = { tb: TestBrowser; server: ServerProcess };
const test = suite<Ctx>('call survives the signaler');
const SLOW = 40_000; // reconnect backoff reaches 7 s steps; the machine is shared

test.before(async (ctx) => {
  ctx.server = await startServerProcess();
  ctx.tb = await launchBrowser();
});
test.after(async (ctx) => {
  await ctx.tb.close();
  await ctx.server.stop('SIGKILL');
});

type Dbg = { playground?: { call?: { id: string | null; peer?: { pc: RTCPeerConnection } | null }; trace?: { entries: { kind: string; direction?: string; message?: { type: string } }[] } } };

const idOf = (page: Page) => page.evaluate(() => (globalThis as Dbg).playground?.call?.id ?? null);
async function frames(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
    let n = 0;
    if (!pc) return -1;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
    });
    return n;
  });
}
/** Resolves when the callee decodes more than `than` frames (frames keep flowing). */
async function framesGrow(page: Page, than: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const n = await frames(page);
    if (n > than) return n;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`frames stopped at ${than}`);
}
const both = (pages: UserPage[], selector: string, state: string) => Promise.all(pages.map((p) => waitForState(p.page, selector, state, SLOW)));

test('server stopped (SIGTERM) and killed (SIGKILL) mid-call, restarted on the same port: same ids, frames never stop, hang-up while down reaches the other side, call again works', async (ctx) => {
  const url = `${ctx.server.url}call.html?room=resilience`;
  const a = await openUserPage(ctx.tb.browser, url);
  const b = await openUserPage(ctx.tb.browser, url);
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await b.page.click('#join');
  await both([a, b], '#call-state', 'connected');
  const ids = [await idOf(a.page), await idOf(b.page)];
  await b.page.bringToFront();
  const f0 = await framesGrow(b.page, 0);

  // 1. Graceful stop: both pages say they are reconnecting; media keeps flowing meanwhile.
  const port = ctx.server.port;
  await ctx.server.stop('SIGTERM');
  await both([a, b], '#room-state', 'reconnecting');
  assert.match(await b.page.$eval('#room-state', (e) => e.textContent ?? ''), /Reconnecting to the signaling server \(attempt \d+/);
  const f1 = await framesGrow(b.page, f0);
  ctx.server = await startServerProcess(port);
  await both([a, b], '#room-state', 'joined');
  assert.equal([await idOf(a.page), await idOf(b.page)], ids, 'same ids after the restart');
  await framesGrow(b.page, f1);
  assert.is(await a.page.$eval('#call-state', (e) => (e as HTMLElement).dataset.state), 'connected', 'the call was never touched');
  // Hang up and call again through the restarted server.
  await a.page.click('#hangup');
  await waitForState(b.page, '#call-state', 'idle');
  await b.page.click('#call');
  await both([a, b], '#call-state', 'connected');

  // 2. SIGKILL: nothing is sent; hang-up while the server is down goes over the data channel.
  await ctx.server.stop('SIGKILL');
  await both([a, b], '#room-state', 'reconnecting');
  await framesGrow(b.page, await frames(b.page));
  await a.page.click('#hangup');
  await waitForState(b.page, '#call-state', 'idle', SLOW);
  await b.page.waitForSelector('#inspector[data-pending="no"]', { timeout: 10_000 }); // drawn in idle time
  assert.ok(await b.page.$('#inspector li[data-kind="signal"][data-type="bye"][data-path="data-channel"]'), 'the diagram shows the bye came over the data channel');
  ctx.server = await startServerProcess(port);
  await both([a, b], '#room-state', 'joined');
  assert.equal([await idOf(a.page), await idOf(b.page)], ids, 'same ids after the kill');
  await a.page.click('#call');
  await both([a, b], '#call-state', 'connected');
  await a.context.close();
  await b.context.close();
});

test('glare: "Call again" on both sides at once, 20 times in a row, always connects', async (ctx) => {
  const url = `${ctx.server.url}call.html?room=glare20`;
  const a = await openUserPage(ctx.tb.browser, url);
  const b = await openUserPage(ctx.tb.browser, url);
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await b.page.click('#join');
  await both([a, b], '#call-state', 'connected');
  const offers = (page: Page) => page.evaluate(() => ((globalThis as Dbg).playground?.trace?.entries ?? []).filter((e) => e.kind === 'signal' && e.direction === 'sent' && e.message?.type === 'offer').length);
  let glares = 0;
  for (let round = 0; round < 20; round++) {
    await a.page.click('#hangup');
    await both([a, b], '#call-state', 'idle');
    const before = [await offers(a.page), await offers(b.page)];
    await Promise.all([a, b].map(({ page }) => page.evaluate(() => document.querySelector<HTMLButtonElement>('#call')?.click())));
    await both([a, b], '#call-state', 'connected');
    const after = [await offers(a.page), await offers(b.page)];
    if ((after[0] ?? 0) > (before[0] ?? 0) && (after[1] ?? 0) > (before[1] ?? 0)) glares++;
  }
  assert.ok(glares >= 10, `a real glare (both sides offered) in only ${glares} of 20 rounds`);
  console.log(`  glare: both sides offered in ${glares} of 20 rounds`);
  assert.equal([...a.errors, ...b.errors].filter((e) => !/WebSocket|ERR_CONNECTION/.test(e)), []);
  await a.context.close();
  await b.context.close();
});

test.run();
