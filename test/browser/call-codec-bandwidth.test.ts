/**
 * Call page, "Codec and bandwidth": one call in which the caller prefers a non-default video codec
 * (setCodecPreferences: its offer's m=video line starts with it and the video it receives uses
 * it), then caps and frees its sent video with setParameters (bitrate, frame size, frame rate
 * follow, no new offer), and the "How it works" panel lights both calls up.
 */
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { openUserPage, waitForState, type UserPage } from '../helpers/browser';
import { browserSuite } from '../helpers/suite';

// The camera at 30 frames/s, so the 10 fps cap below has something to cut.
const test = browserSuite('call page: codec and bandwidth', { fps: 30 });

type Sending = { kbps: number | null; width: number | null; fps: number | null };

/** The sender readout of the card (numbers, null while unknown). */
function sending(page: Page): Promise<Sending> {
  return page.$eval('#sending', (e) =>
    [(e as HTMLElement).dataset.kbps, (e as HTMLElement).dataset.width, (e as HTMLElement).dataset.fps]
      .map((v) => (v === undefined || v === '' ? null : Number(v))))
    .then(([kbps, width, fps]) => ({ kbps: kbps ?? null, width: width ?? null, fps: fps ?? null }));
}

/** Waits for each new reading of the card (one a second) until `ok` holds; returns that reading. */
async function until(page: Page, ok: (s: Sending) => boolean, what: string, timeoutMs: number): Promise<Sending> {
  const seen: Sending[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const n = await page.$eval('#sending', (e) => (e as HTMLElement).dataset.sample ?? '');
    await page.waitForFunction((prev: string) => (document.querySelector<HTMLElement>('#sending')?.dataset.sample ?? '') !== prev, { timeout: 5000, polling: 100 }, n);
    const s = await sending(page);
    seen.push(s);
    if (ok(s)) return s;
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; readings ${JSON.stringify(seen)}`);
}

/** The call shared by the tests: a joined first, b (the caller) chose `chosen` before joining. */
let call: { a: UserPage; b: UserPage; chosen: string };

test.before(async ({ server, tb }) => {
  const url = `${server.url}call.html?room=codec-${tb.name}`;
  const a = await openUserPage(tb.browser, url);
  const b = await openUserPage(tb.browser, url);
  // b joins second, so b is the caller; it chooses the codec before joining (the list fills when the call machinery has loaded, in idle time).
  await b.page.waitForFunction(() => document.querySelectorAll('#codec-select option').length > 1, { timeout: 10_000, polling: 50 });
  const choices = await b.page.$$eval('#codec-select option', (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
  assert.ok(choices.length >= 2, `codecs offered: ${choices.join(', ')}`);
  const chosen = choices.find((c) => c.toLowerCase() === 'video/vp9') ?? choices[1] ?? '';
  await b.page.select('#codec-select', chosen);
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined', 30_000);
  await b.page.click('#join');
  await waitForState(b.page, '#call-state', 'connected', 45_000);
  await waitForState(a.page, '#call-state', 'connected', 45_000);
  call = { a, b, chosen };
});

test.after(async () => {
  assert.equal(call.a.errors, []);
  assert.equal(call.b.errors, []);
  await call.a.context.close();
  await call.b.context.close();
});

test('the caller prefers a non-default codec: its offer lists it first and the video it receives uses it', async () => {
  const { b, chosen } = call;
  assert.is(await b.page.evaluate(() => (globalThis as unknown as { playground: { call: { role: string } } }).playground.call.role), 'caller');
  // The offer's m=video line lists the chosen codec first; the default order would not.
  const name = chosen.replace(/^video\//, '');
  // The card shows it in idle time once the call is set up (display work waits during setup).
  await b.page.waitForSelector('#m-line:not([data-first=""])', { timeout: 5000 });
  assert.is(await b.page.$eval('#m-line', (e) => (e as HTMLElement).dataset.first), name, 'm=video starts with the chosen codec');
  // The inspector's stats of the caller show the codec of the video it receives.
  await b.page.waitForFunction(
    (n: string) => [...document.querySelectorAll('#inspector .stats-panels li[data-kind="video"]')].some((li) => (li.textContent ?? '').includes(`codec video/${n}`)),
    { timeout: 20_000, polling: 200 },
    name,
  );
});

test('setParameters during the call: a 150 kbps cap, half size and 10 fps show in what is sent; lifting restores the bitrate', async () => {
  const { b } = call;
  await b.page.bringToFront();
  // First it sends more than the cap will allow.
  await until(b.page, (s) => (s.kbps ?? 0) > 250, 'uncapped bitrate above 250 kbps', 15_000);
  await b.page.select('#max-bitrate', '150000');
  await waitForState(b.page, '#limits-state', 'applied');
  await until(b.page, (s) => s.kbps !== null && s.kbps < 180, 'a 150 kbps cap brings the sent bitrate under 180 kbps', 10_000);
  // Frame size and rate: halved and at most 10 fps.
  await b.page.select('#scale-down', '2');
  await waitForState(b.page, '#limits-state', 'applied');
  await b.page.select('#max-framerate', '10');
  await waitForState(b.page, '#limits-state', 'applied');
  const trackWidth = await b.page.$eval('#local-video', (v) => (v as HTMLVideoElement).videoWidth);
  const small = await until(b.page, (s) => s.width !== null && s.width <= trackWidth / 2 && s.fps !== null && s.fps <= 11, 'frame size halved and at most 10 fps', 10_000);
  assert.ok(small.kbps !== null && small.kbps < 180);
  // Lifting every limit restores the bitrate.
  for (const id of ['#max-bitrate', '#scale-down', '#max-framerate']) {
    await b.page.select(id, '');
    await waitForState(b.page, '#limits-state', 'applied');
  }
  await until(b.page, (s) => (s.kbps ?? 0) > 250, 'bitrate back above 250 kbps after the cap is lifted', 15_000);
  assert.match(await b.page.$eval('#limits-state', (e) => e.textContent ?? ''), /no bitrate limit/);
});

test('the panel lit both calls up, and no new offer was needed', async () => {
  const { b } = call;
  await b.page.click('#how-it-works > summary');
  await b.page.waitForSelector('#how-it-works .how-entry[data-keys="setCodecPreferences"][data-state="ran"]', { timeout: 10_000 });
  await b.page.waitForSelector('#how-it-works .how-entry[data-keys="setParameters"][data-state="ran"]', { timeout: 10_000 });
  const offers = await b.page.evaluate(() =>
    (globalThis as unknown as { playground: { trace: { entries: { kind: string; direction?: string; message?: { type: string } }[] } } }).playground.trace.entries
      .filter((e) => e.kind === 'signal' && e.direction === 'sent' && e.message?.type === 'offer').length);
  assert.is(offers, 1, 'setParameters needed no renegotiation');
});

test.run();
