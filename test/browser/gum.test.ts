import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { FAKE_CAMERA_FPS, openUserPage, textOf, waitForState } from '../helpers/browser';
import serveStatic from 'serve-static';
import { ROOT } from '../helpers/server';
import { browserSuite } from '../helpers/suite';

const BOTH: ('camera' | 'microphone')[] = ['camera', 'microphone'];

/** A mono 16-bit PCM WAV of a sine: `seconds` long at `rate` Hz sample rate. */
function sineWav(freq: number, seconds: number, rate = 48_000): Buffer {
  const n = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 0.5 * 32767), 44 + i * 2);
  return buf;
}

const dir = mkdtempSync(join(tmpdir(), 'wp-gum-'));
const wav = join(dir, 'sine440.wav');
writeFileSync(wav, sineWav(440, 2));
// No fake UI: permission comes from per-context grants, so "denied" can be tested too.
// insecure.test resolves to this machine: a plain-http page off localhost, so not a secure context.
// The microphone plays a 440 Hz sine: Chromium from the WAV file, Firefox from its fake tone. These
// prefs in the Firefox that other suites share made the level meter read near silence in a full run
// (clean clone, twice in a row), though it passed alone: the suite keeps a Firefox of its own.
const test = browserSuite<{ http: Server }>(
  'getUserMedia page',
  {
    fakeUi: false,
    args: [`--use-file-for-fake-audio-capture=${wav}`, '--host-resolver-rules=MAP insecure.test 127.0.0.1'],
    firefoxPrefs: { 'media.navigator.audio.fake_frequency': 440, 'network.dns.localDomains': 'insecure.test' },
  },
);

test.before(async (ctx) => {
  const pub = serveStatic(join(ROOT, 'public'));
  const dist = serveStatic(join(ROOT, 'dist'));
  ctx.http = createServer((req, res) => pub(req, res, () => dist(req, res, () => {
    res.writeHead(404).end();
  })));
  await new Promise<void>((resolve) => ctx.http.listen(0, '127.0.0.1', resolve));
});
test.after((ctx) => {
  ctx.http.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sets a form control's value and fires input + change like a user edit. */
async function setField(page: Page, selector: string, value: string | boolean): Promise<void> {
  await page.$eval(
    selector,
    (e, v) => {
      const input = e as HTMLInputElement;
      if (typeof v === 'boolean') input.checked = v;
      else input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    value,
  );
}

const fieldState = (page: Page, kind: string, field: string) =>
  page.$eval(`.track-inspector[data-kind="${kind}"] [data-field="${field}"]`, (e) => (e as HTMLElement).dataset.state ?? '');
const settingsOf = (page: Page, kind: string) =>
  page.$eval(`.track-inspector[data-kind="${kind}"] [data-field="settings"]`, (e) => JSON.parse(e.textContent ?? '{}') as Record<string, unknown>);

test('exact 320x240 gives 320x240 settings and frames; applyConstraints frameRate; disable keeps live, stop ends', async ({ server, tb }) => {
  const { page, context } = await openUserPage(tb.browser, `${server.url}gum.html`, BOTH);
  assert.ok((await page.$$('#supported tr[data-constraint="width"]')).length === 1, 'supported constraints table lists width');
  await setField(page, '#width', '320');
  await setField(page, '#width-mode', 'exact');
  await setField(page, '#height', '240');
  await setField(page, '#height-mode', 'exact');
  const code = JSON.parse(await textOf(page, '#constraints-code')) as MediaStreamConstraints;
  assert.equal(code, { audio: true, video: { width: { exact: 320 }, height: { exact: 240 } } });
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  const s = await settingsOf(page, 'video');
  assert.is(s.width, 320);
  assert.is(s.height, 240);
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#frame-size')?.dataset.width === '320', { timeout: 10_000 });
  assert.is(await page.$eval('#frame-size', (e) => (e as HTMLElement).dataset.height), '240');

  // applyConstraints: frame rate 10 shows in the settings afterwards.
  await setField(page, '#apply-frameRate', '10');
  await page.click('#apply');
  await waitForState(page, '#apply-state', 'applied');
  if (tb.name === 'firefox') {
    // Firefox accepts the exact frame rate but keeps reporting the camera's: the page says so.
    assert.is(await page.$eval('#apply-note', (e) => (e as HTMLElement).dataset.unmet), 'frameRate');
    assert.match(await textOf(page, '#apply-note'), new RegExp(`accepted frameRate 10, but getSettings\\(\\) still reports ${FAKE_CAMERA_FPS}`));
  } else {
    assert.is((JSON.parse(await textOf(page, '#settings-after')) as { frameRate: number }).frameRate, 10);
    assert.is((await settingsOf(page, 'video')).frameRate, 10);
    assert.is(await page.$eval('#apply-note', (e) => (e as HTMLElement).dataset.unmet), '');
  }
  // Clamping: a width above the capability max is clamped and said so, not an error.
  await setField(page, '#apply-frameRate', '');
  await setField(page, '#apply-width', '99999');
  await page.click('#apply');
  await waitForState(page, '#apply-state', ['applied', 'failed']);
  assert.match(await textOf(page, '#apply-note'), /width 99999 is outside the capability range/);

  // Disable: still live. Stop: ended.
  await page.click('.track-inspector[data-kind="video"] [data-action="toggle-enabled"]');
  assert.is(await fieldState(page, 'video', 'enabled'), 'false');
  assert.is(await fieldState(page, 'video', 'readyState'), 'live');
  await page.click('.track-inspector[data-kind="video"] [data-action="stop"]');
  assert.is(await fieldState(page, 'video', 'readyState'), 'ended');
  assert.is(await fieldState(page, 'audio', 'readyState'), 'live');
  assert.is(await page.$eval('#apply', (b) => (b as HTMLButtonElement).disabled), true);
  await page.click('#stop-all');
  await waitForState(page, '#capture-state', 'stopped');
  assert.is(await fieldState(page, 'audio', 'readyState'), 'ended');
  await context.close();
});

test('impossible exact width names width; an empty request is a TypeError', async ({ server, tb }) => {
  const { page, context } = await openUserPage(tb.browser, `${server.url}gum.html`, BOTH);
  await setField(page, '#width', '10000');
  await setField(page, '#width-mode', 'exact');
  await page.click('#start');
  await waitForState(page, '#capture-state', 'failed');
  assert.is(await page.$eval('#problem', (e) => (e as HTMLElement).dataset.error), 'OverconstrainedError');
  assert.match(await textOf(page, '#problem'), /"width"/);
  await setField(page, '#audio', false);
  await setField(page, '#video', false);
  await page.click('#start');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'TypeError', { timeout: 10_000 });
  assert.match(await textOf(page, '#problem'), /at least one of audio or video/);
  await context.close();
});

test('denied permission: the NotAllowedError explanation is in view at 1280x800, in the problem box (role=alert) and next to Start; focus stays', async ({ server, tb }) => {
  const { page, context } = await openUserPage(tb.browser, `${server.url}gum.html`);
  await page.setViewport({ width: 1280, height: 800 });
  await page.click('#start'); // scrolls Start (far down the page) into view, as a user would
  await waitForState(page, '#capture-state', 'failed');
  assert.is(await page.$eval('#problem', (e) => (e as HTMLElement).dataset.error), 'NotAllowedError');
  assert.is(await page.$eval('#problem', (e) => e.getAttribute('role')), 'alert');
  assert.match(await textOf(page, '#problem'), /To allow it again/);
  const seen = await page.evaluate(() => {
    const start = document.querySelector('#start');
    const note = document.querySelector('.inline-problem');
    const [box, inline] = [document.querySelector('#problem .problem-detail'), note].map((el) => {
      const r = el?.getBoundingClientRect();
      return !!r && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight;
    });
    return {
      box,
      note: inline,
      noteNearStart: !!note && !!start && Math.abs(note.getBoundingClientRect().top - start.getBoundingClientRect().bottom) < 120,
      describedBy: start?.getAttribute('aria-describedby') === note?.id,
      focus: document.activeElement?.id ?? '',
    };
  });
  assert.equal(seen, { box: true, note: true, noteNearStart: true, describedBy: true, focus: 'start' });
  assert.match(await textOf(page, '.inline-problem'), /To allow it again/);
  await context.close();
});

test('the level meter hears a 440 Hz sine file', async ({ server, tb }) => {
  const { page, context } = await openUserPage(tb.browser, `${server.url}gum.html`, BOTH);
  await setField(page, '#video', false);
  for (const k of ['echoCancellation', 'noiseSuppression', 'autoGainControl']) await setField(page, `#${k}`, 'false');
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  await waitForState(page, '#level-db', 'sound');
  await page.waitForFunction(() => Math.abs(Number(document.querySelector<HTMLElement>('#level-hz')?.dataset.hz) - 440) <= 12, { timeout: 10_000 });
  assert.ok((await page.$eval('#level', (m) => (m as HTMLMeterElement).value)) > 0.05, 'meter bar moved');
  // Disabling the track gives silence.
  await page.click('.track-inspector[data-kind="audio"] [data-action="toggle-enabled"]');
  await waitForState(page, '#level-db', 'silent');
  await context.close();
});

test('plain http off localhost: both pages explain the insecure context on load', async ({ http, tb }) => {
  const port = (http.address() as AddressInfo).port;
  for (const page of ['gum', 'devices']) {
    const { page: p, context } = await openUserPage(tb.browser, `http://insecure.test:${port}/${page}.html`);
    await p.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'InsecureContextError', { timeout: 10_000 });
    assert.match(await textOf(p, '#problem'), /https:\/\//, page);
    assert.is(await p.$eval('#start', (b) => (b as HTMLButtonElement).disabled), true, `${page}: Start is disabled`);
    await context.close();
  }
});

test.run();
