import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { launchBrowser, openUserPage, textOf, waitForState } from '../helpers/browser';
import { browserSuite, notInThisBrowser } from '../helpers/suite';

const test = browserSuite('screen page');

const dataset = (page: Page, sel: string, key: string) => page.$eval(sel, (e, k) => (e as HTMLElement).dataset[k as string] ?? '', key);

/** Dispatches `ended` on the shared video track, as when the user stops sharing in the browser's UI. */
async function endFromOutside(page: Page): Promise<void> {
  await page.evaluate(() => {
    const dbg = (globalThis as unknown as { playground: { screen: { stream: MediaStream } } }).playground.screen;
    const track = dbg.stream.getVideoTracks()[0];
    if (!track) throw new Error('no shared video track');
    track.dispatchEvent(new Event('ended'));
  });
}

test('options editor shows the exact object; sharing shows settings and contentHint; the browser ending the share returns to idle; record while sharing keeps the file', async ({ server, tb }) => {
  const { page, context } = await openUserPage(tb.browser, `${server.url}screen.html`);
  assert.match(await textOf(page, '#options-code'), /getDisplayMedia\(\{\s*"video": true,\s*"audio": false\s*\}\)/);
  await page.select('#opt-surface', 'monitor');
  await page.select('#opt-switching', 'include');
  await page.click('#opt-audio');
  const code = await textOf(page, '#options-code');
  const shown = JSON.parse(code.slice(code.indexOf('(') + 1, code.lastIndexOf(')'))) as unknown;
  assert.equal(shown, { video: { displaySurface: 'monitor' }, audio: true, surfaceSwitching: 'include' });
  assert.equal(await page.evaluate(() => (globalThis as unknown as { playground: { screen: { options: unknown } } }).playground.screen.options), shown);

  if (tb.name === 'firefox') {
    // Headless Firefox has no screen to capture: getDisplayMedia fails at once, and the page says why.
    notInThisBrowser(tb.name, 'screen sharing and recording a share', 'headless Firefox has no screen: getDisplayMedia rejects with NotFoundError');
    await page.click('#share');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'NotFoundError', { timeout: 10_000 });
    assert.match(await textOf(page, '#problem'), /nothing to share.*no screen, window or tab to capture.*headless/s);
    assert.is(await dataset(page, '#share-state', 'state'), 'idle');
    assert.is(await page.$eval('#share', (b) => (b as HTMLButtonElement).disabled), false, 'Share can be tried again');
    await context.close();
    return;
  }
  await page.click('#share');
  await waitForState(page, '#share-state', 'live');
  assert.is(await textOf(page, '#set-surface'), 'monitor');
  assert.ok(Number(await textOf(page, '#set-width')) > 0 && Number(await textOf(page, '#set-height')) > 0);
  assert.ok(Number(await textOf(page, '#set-frame-rate')) > 0);
  await page.waitForFunction(() => (document.querySelector('#preview') as HTMLVideoElement).videoWidth > 0, { timeout: 10_000 });
  // Camera picture-in-picture over the shared screen.
  await page.click('#camera-pip');
  await page.waitForFunction(() => (document.querySelector('#pip') as HTMLVideoElement).videoWidth > 0, { timeout: 10_000 });
  assert.is(await page.$eval('#pip', (v) => (v as HTMLVideoElement).hidden), false);
  await page.select('#content-hint', 'text');
  assert.is(await textOf(page, '#set-hint'), 'text');
  assert.is(await page.evaluate(() => (globalThis as unknown as { playground: { screen: { stream: MediaStream } } }).playground.screen.stream.getVideoTracks()[0]?.contentHint), 'text');

  // Record this, then the user stops sharing from the browser bar mid-recording.
  await page.click('#record');
  await waitForState(page, '#rec-state', 'recording');
  assert.match(await textOf(page, '#mime-actual'), /^video\//);
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#elapsed')?.dataset.ms) >= 1000, { timeout: 15_000, polling: 50 });
  await endFromOutside(page);
  await waitForState(page, '#share-state', 'idle');
  assert.match(await textOf(page, '#share-hint'), /stopped from outside the page/);
  await waitForState(page, '#rec-state', 'inactive');
  await waitForState(page, '#recordings li[data-recording]', ['ready', 'failed']);
  const rec = await page.evaluate(() => {
    type Entry = { duration: number | null; state: string; element: HTMLElement; result: { reason: string; blob: Blob } };
    const e = (globalThis as unknown as { playground: { screen: { list: { entries: Entry[] } } } }).playground.screen.list.entries[0];
    if (!e) throw new Error('no recording in the list');
    return { state: e.state, duration: e.duration, reason: e.result.reason, size: e.result.blob.size, width: e.element.querySelector('video')?.videoWidth ?? 0 };
  });
  assert.is(rec.state, 'ready');
  assert.is(rec.reason, 'track-ended');
  assert.ok(rec.size > 0 && rec.width > 0, `screen recording has frames (${rec.width}px, ${rec.size} B)`);
  assert.ok(rec.duration !== null && Number.isFinite(rec.duration) && rec.duration > 0.5, `finite duration ${rec.duration}`);
  assert.is(await page.$eval('#share', (b) => (b as HTMLButtonElement).disabled), false, 'Share is possible again');
  assert.is(await page.evaluate(() => (globalThis as unknown as { playground: { screen: { stream: unknown } } }).playground.screen.stream), null);

  // Stop from the page works too, and keeps a recording that was running.
  await page.click('#share');
  await waitForState(page, '#share-state', 'live');
  await page.click('#record');
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#elapsed')?.dataset.ms) >= 400, { timeout: 15_000, polling: 50 });
  await page.click('#stop');
  await waitForState(page, '#share-state', 'idle');
  assert.match(await textOf(page, '#share-hint'), /You stopped sharing/);
  await waitForState(page, '#rec-state', 'inactive');
  await page.waitForFunction(() => document.querySelectorAll('#recordings li[data-recording]').length === 2, { timeout: 10_000 });
  assert.is(await dataset(page, '#recordings li[data-recording]', 'reason'), 'user');

  // video: false is explained (the spec says TypeError, Chromium answers NotFoundError).
  await page.click('#opt-video');
  await page.click('#share');
  await page.waitForFunction(() => ['TypeError', 'NotFoundError'].includes(document.querySelector<HTMLElement>('#problem')?.dataset.error ?? ''), { timeout: 10_000 });
  assert.match(await textOf(page, '#problem'), /video: false/);
  assert.is(await dataset(page, '#share-state', 'state'), 'idle');
  await context.close();
});

test('a picker that never answers shows "waiting for your choice" and Cancel returns to idle; denial is explained', async ({ server, tb: suiteBrowser }) => {
  if (suiteBrowser.name === 'firefox') {
    notInThisBrowser('firefox', 'the screen picker (waiting, cancel, denial)', 'headless Firefox shows no picker: getDisplayMedia rejects at once with NotFoundError (tested above)');
    return;
  }
  const tb = await launchBrowser({ fakeUi: false });
  try {
    const { page } = await openUserPage(tb.browser, `${server.url}screen.html`);
    await page.click('#share');
    await waitForState(page, '#share-state', 'waiting');
    assert.match(await textOf(page, '#share-state'), /waiting for your choice/);
    assert.is(await page.$eval('#cancel', (b) => (b as HTMLButtonElement).hidden), false, 'Cancel is offered');
    assert.is(await page.$eval('#share', (b) => (b as HTMLButtonElement).disabled), true);
    // While the (invisible, headless) picker is open the tab ignores trusted input: puppeteer's
    // page.click() is dropped (measured), so press the button from inside the page.
    await page.$eval('#cancel', (b) => (b as HTMLButtonElement).click());
    await waitForState(page, '#share-state', 'idle');
    assert.match(await textOf(page, '#share-hint'), /cancelled/);
    assert.is(await page.$eval('#cancel', (b) => (b as HTMLButtonElement).hidden), true);
    assert.is(await page.$eval('#problem', (b) => (b as HTMLElement).hidden), true, 'cancelling is not a problem');
    // The recorder's screen source offers the same way out.
    await page.goto(`${server.url}recorder.html`);
    await page.select('#source', 'screen');
    await page.click('#open-source');
    await waitForState(page, '#source-state', 'waiting');
    await page.$eval('#cancel-source', (b) => (b as HTMLButtonElement).click());
    await waitForState(page, '#source-state', 'none');
    assert.match(await textOf(page, '#source-hint'), /cancelled/);
  } finally {
    await tb.close();
  }
  // A user who refuses: screen share and camera are both explained as denied.
  const deny = await launchBrowser({ fakeUi: false, args: ['--use-fake-ui-for-media-stream=deny'] });
  try {
    const { page } = await openUserPage(deny.browser, `${server.url}screen.html`);
    await page.click('#share');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'NotAllowedError', { timeout: 10_000 });
    assert.match(await textOf(page, '#problem'), /cancelled or denied/);
    assert.is(await dataset(page, '#share-state', 'state'), 'idle');
    await page.goto(`${server.url}recorder.html`);
    await page.click('#open-source');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'NotAllowedError', { timeout: 10_000 });
    assert.match(await textOf(page, '#problem'), /Permission to use the camera or microphone was denied/);
    assert.is(await dataset(page, '#source-state', 'state'), 'none');
  } finally {
    await deny.close();
  }
});

test('a browser without getDisplayMedia is told so', async ({ server, tb }) => {
  const context = await tb.browser.createBrowserContext();
  const page = await context.newPage();
  await page.evaluateOnNewDocument(() => {
    delete (MediaDevices.prototype as { getDisplayMedia?: unknown }).getDisplayMedia;
  });
  await page.goto(`${server.url}screen.html`);
  await page.click('#share');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'UnsupportedError', { timeout: 10_000 });
  assert.is(await dataset(page, '#share-state', 'state'), 'idle');
  await context.close();
});

test.run();
