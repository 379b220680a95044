/**
 * Classroom-ready pages, in Chromium and Firefox: every page, in its first state and after its main
 * action, at a phone width (360x740) and on a projector (1920x1080), has no horizontal page overflow
 * and no axe-core violation; presenter mode keeps what an instructor talks about on one screen.
 *
 * Setups are shared to keep the file fast: the single-user pages are visited one after the other
 * in one page (the viewport is resized in place, so each main action runs once); one two-peer call
 * serves the call page's tour, its QR code and the Hang up sentences, and its two users then open
 * the step-mode presenter stage; the loopback page's presenter test continues in the tour's page.
 */
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import jsQR from 'jsqr';
import { axeViolations } from '../helpers/axe';
import { waitForState, type UserPage } from '../helpers/browser';
import { must } from '../helpers/must';
import { browserSuite } from '../helpers/suite';
import { TOUR, horizontalOverflow, openSized, stepWithKeys, type TourStop } from '../helpers/tour';

/** Pages kept open from one test to the next (closed after the last test). */
type Shared = { single?: UserPage; call?: [UserPage, UserPage]; loopback?: UserPage };
const test = browserSuite<{ shared: Shared }>('classroom: layout and accessibility');
const SIZES: [number, number][] = [[360, 740], [1920, 1080]];

test.before((ctx) => {
  ctx.shared = {};
});
test.after(async ({ shared }) => {
  for (const u of [shared.single, ...(shared.call ?? []), shared.loopback]) await u?.context.close();
});

/**
 * Overflow at both sizes; axe at the widths in `axeAt`. An axe run takes 0.5-2 s (several on a busy
 * machine), so each state gets one: the first state at 360 px, the state after the main action (when
 * the page shows the most) at 1920 px. The index has no action: both sizes in its first state.
 */
async function check(page: Page, where: string, axeAt: number[]): Promise<void> {
  for (const [width, height] of SIZES) {
    await page.setViewport({ width, height });
    const { overflow, culprits } = await horizontalOverflow(page);
    assert.is(overflow, 0, `${where} at ${width}x${height}: the page is ${overflow} px wider than the screen (${culprits.join(', ')})`);
    if (width < 600) assert.equal(await smallTargets(page), [], `${where} at ${width}x${height}: controls shorter than 44 px (hard to hit with a thumb)`);
    if (!axeAt.includes(width)) continue;
    const violations = await axeViolations(page);
    assert.equal(violations, [], `${where} at ${width}x${height}: axe violations:\n  ${violations.join('\n  ')}`);
  }
}

/** Visible controls (buttons, selects, inputs, toggles; a radio or checkbox counts with its label) less than 44 px tall. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, select, input:not([type="hidden"]), a.button-link, textarea')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const target = el.matches('input[type="radio"], input[type="checkbox"]') ? (el.closest('label') ?? el) : el;
      const h = target.getBoundingClientRect().height;
      if (h < 44) small.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${Math.round(h)} px`);
    }
    return small;
  });
}

/** The tour stop of `path` (a page of the tour must exist). */
function stop(path: string): TourStop {
  const found = TOUR.find((s) => s.path === path);
  if (!found) throw new Error(`no tour stop ${path}`);
  return found;
}

/** `user` on the first state of `stop` at 360x740, checked, then after its main action, checked. */
async function tourStop(user: UserPage, s: TourStop, open: (url: string) => Promise<UserPage>): Promise<void> {
  await check(user.page, `${s.path} (first state)`, s.path === '/' ? [360, 1920] : [360]);
  await s.run(user, open);
  if (s.path !== '/') await check(user.page, `${s.path} (after ${s.action})`, [1920]);
}

const noSecondUser = (): Promise<UserPage> => Promise.reject(new Error('this page has one user'));

// The single-user pages, in one page: navigating away ends the previous page's capture.
for (const s of TOUR.filter((t) => !t.path.startsWith('/call.html') && t.path !== '/loopback.html')) {
  test(`${s.path}: no overflow at 360 and 1920 px, 0 axe violations, first state and after "${s.action}"`, async ({ server, tb, shared }) => {
    const url = new URL(s.path, server.url).toString();
    if (shared.single) {
      await shared.single.page.setViewport({ width: 360, height: 740 });
      await shared.single.page.goto(url, { waitUntil: 'load' });
      shared.single.errors.length = 0;
    } else {
      shared.single = await openSized(tb.browser, url, 360, 740);
    }
    assert.is(await shared.single.page.$eval('header.site #present-toggle', (t) => t.getAttribute('aria-pressed')), 'false', 'the presenter toggle is in the header, off');
    await tourStop(shared.single, s, noSecondUser);
    assert.equal(shared.single.errors, [], `errors on ${s.path}`);
  });
}

/** Whether the element's box lies fully inside the viewport (no scrolling needed to see it). */
async function inViewport(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    const ok = r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
    return ok ? 'in view' : `out of view: top ${Math.round(r.top)} bottom ${Math.round(r.bottom)} of ${innerHeight}, height ${Math.round(r.height)}`;
  });
}

async function px(page: Page, selector: string, prop: 'fontSize' | 'height'): Promise<number> {
  return page.$eval(selector, (el, p) => parseFloat(getComputedStyle(el)[p as 'fontSize']), prop);
}

const text = (page: Page, selector: string) => page.$eval(selector, (e) => e.textContent ?? '');

test('call page: QR code decodes to the room link; no overflow and 0 axe violations before and after joining a second peer; presenter graphs on a phone; after Hang up both sides say where they are', async ({ server, tb, shared }) => {
  const s = stop('/call.html?room=tour-call');
  const url = new URL(s.path, server.url).toString();
  const a = await openSized(tb.browser, url, 360, 740);
  shared.call = [a, a];
  // The tour opens the second user; it is kept for the presenter test below.
  await tourStop(a, s, async (u) => {
    const b = await openSized(tb.browser, u, 390, 844);
    shared.call = [a, b];
    return b;
  });
  const [, b] = shared.call;
  assert.ok(b !== a, 'the tour opened a second user');

  // Auto mode: the step list is hidden and one line says how to get it. Videos side by side at 1920 px, stacked on a phone.
  assert.is(await a.page.$eval('#steps', (e) => (e as HTMLElement).offsetParent === null), true, 'auto mode hides the step list');
  assert.match(await a.page.$eval('#steps-hidden', (e) => ((e as HTMLElement).offsetParent ? e.textContent ?? '' : 'hidden')), /Auto mode runs the whole call by itself.*choose "step by step"/);
  const videos = () => a.page.evaluate(() => [...document.querySelectorAll('#local-video, #remote-video')].map((v) => {
    const r = v.getBoundingClientRect();
    return { top: Math.round(r.top), bottom: Math.round(r.bottom), left: Math.round(r.left), right: Math.round(r.right) };
  }));
  const [wideLocal, wideRemote] = await videos();
  assert.ok(wideLocal && wideRemote && wideRemote.top === wideLocal.top && wideRemote.left >= wideLocal.right, `side by side at 1920 px: ${JSON.stringify([wideLocal, wideRemote])}`);
  await a.page.setViewport({ width: 390, height: 844 });
  const [phoneLocal, phoneRemote] = await videos();
  assert.ok(phoneLocal && phoneRemote && phoneRemote.top >= phoneLocal.bottom, `stacked at 390 px: ${JSON.stringify([phoneLocal, phoneRemote])}`);

  // "Share this room": the QR code on the canvas is the room link.
  const link = await text(a.page, '#room-link');
  assert.is(link, url);
  await a.page.waitForSelector('#room-qr[data-text]', { timeout: 10_000 }); // the QR painter loads on demand
  const image = await a.page.$eval('#room-qr', (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height);
    return { width: canvas.width, height: canvas.height, pixels: data ? [...data.data] : [] };
  });
  assert.is(jsQR(new Uint8ClampedArray(image.pixels), image.width, image.height)?.data, link);
  assert.match(await text(a.page, '#room-qr-note'), /phone cannot reach/);
  assert.match(await text(a.page, '#call-summary'), /^In a call in room "tour-call"/);

  // Presenter mode on a phone too: graphs at least 160 px tall, and still no horizontal overflow.
  await a.page.click('#present-toggle');
  await a.page.waitForSelector('#inspector .graph-svg', { timeout: 10_000 });
  assert.ok((await px(a.page, '#inspector .graph-svg', 'height')) >= 160, 'graphs >= 160 px tall');
  assert.is((await horizontalOverflow(a.page)).overflow, 0, 'presenter mode on a phone: no overflow');

  await a.page.$eval('#hangup', (e) => e.scrollIntoView({ block: 'center' }));
  await a.page.click('#hangup');
  await waitForState(a.page, '#call-state', 'idle');
  assert.match(await text(a.page, '#call-summary'), /^You hung up\. No call now; you are still in room "tour-call" and your camera and microphone stay on\. Press Call again/);
  await waitForState(b.page, '#call-state', 'idle');
  assert.match(await text(b.page, '#call-summary'), /^The other side hung up\./);
  assert.equal(a.errors, [], 'errors on the call page');
});

test('presenter mode on the call page at 1920x1080 (step mode, two peers): videos, current step and diagram on one screen', async ({ server, shared }) => {
  const [a, b] = must(shared.call, 'the two users of the call test above');
  // Presenter mode was turned on with the toggle above and is remembered; the page is opened without ?present.
  await a.page.setViewport({ width: 1920, height: 1080 });
  await a.page.goto(`${server.url}call.html?room=present-1&mode=step`, { waitUntil: 'load' });
  await b.page.goto(`${server.url}call.html?room=present-1&mode=step`, { waitUntil: 'load' });
  assert.is(await a.page.$eval('#present-toggle', (t) => t.getAttribute('aria-pressed')), 'true', 'presenter mode remembered');
  // The peer that joins second is the caller: its steps start at once.
  await b.page.click('#join');
  await waitForState(b.page, '#room-state', 'joined');
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await a.page.bringToFront();
  await stepWithKeys(a.page, '#steps', 4);
  await a.page.waitForSelector('#inspector[data-pending="no"]', { timeout: 10_000 }); // drawn in idle time
  for (const sel of ['#local-video', '#remote-video', '#steps .step-current h3', '#steps .step-current pre', '#steps .step-current .step-last', '#inspector .seq', '#inspector .seq-row:last-child']) {
    assert.is(await inViewport(a.page, sel), 'in view', sel);
  }
  assert.ok((await px(a.page, '#inspector .seq-arrow', 'fontSize')) >= 16, 'diagram labels >= 16 px');
});

test('loopback: no overflow at 360 and 1920 px, 0 axe violations, first state and after "Start call"', async ({ server, tb, shared }) => {
  shared.loopback = await openSized(tb.browser, `${server.url}loopback.html`, 360, 740);
  await tourStop(shared.loopback, stop('/loopback.html'), noSecondUser);
  assert.equal(shared.loopback.errors, [], 'errors on loopback');
});

test('presenter mode (?present, remembered) on loopback at 1920x1080: large type; → and Space run steps; videos, current step with code and last result, and the diagram on one screen', async ({ server, shared }) => {
  const { page } = must(shared.loopback, 'the page of the loopback test above');
  await page.setViewport({ width: 1920, height: 1080 });
  await page.goto(`${server.url}loopback.html?present`, { waitUntil: 'load' });
  assert.is(await page.$eval('#present-toggle', (t) => t.getAttribute('aria-pressed')), 'true');
  assert.ok((await px(page, 'body', 'fontSize')) >= 20, 'body text >= 20 px');
  assert.ok((await px(page, '.badge', 'fontSize')) >= 18, 'badges >= 18 px');
  assert.match(await text(page, '#loopback-page'), /→.*Space/s);
  await page.click('#mode-step');
  assert.is(await page.$eval('#loopback-page', (e) => (e as HTMLElement).dataset.mode), 'step');
  await page.click('#start');
  await stepWithKeys(page, '#caller .steps', 5);
  await page.waitForSelector('#inspector[data-pending="no"]', { timeout: 10_000 }); // drawn in idle time
  for (const sel of ['#caller .local-video', '#callee .remote-video', '#caller .step-current h3', '#caller .step-current pre', '#caller .step-current .step-last', '#inspector .seq', '#inspector .seq-row:last-child']) {
    assert.is(await inViewport(page, sel), 'in view', sel);
  }
  assert.ok((await px(page, '#caller .step-current pre', 'fontSize')) >= 18, 'code >= 18 px');
  assert.ok((await page.$eval('main', (m) => m.getBoundingClientRect().width)) >= 1850, 'full width (no 1200 px cap)');
  // Each "what and how" toggle has its own accessible name (its text includes a visually hidden step name).
  const names = await page.$$eval('#caller .steps summary', (l) => l.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
  assert.ok(names.length >= 20, `toggles in the step lists: ${names.length}`);
  assert.is(new Set(names).size, names.length, `distinct toggle names: ${names.slice(0, 4).join(' | ')} …`);
  assert.ok((await px(page, '#inspector .seq-arrow', 'fontSize')) >= 16, 'diagram labels >= 16 px');
  // Remembered: the same page without ?present opens in presenter mode; the toggle turns it off.
  await page.goto(`${server.url}loopback.html`);
  assert.ok(await page.$eval('html', (e) => e.classList.contains('present')), 'remembered');
  await page.click('#present-toggle');
  assert.is(await page.$eval('#present-toggle', (t) => t.getAttribute('aria-pressed')), 'false');
  await page.reload();
  assert.not.ok(await page.$eval('html', (e) => e.classList.contains('present')), 'turned off and remembered');
});

test.run();
