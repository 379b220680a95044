/**
 * Classroom-ready pages: every page, in its first state and after its main action, at a phone width
 * (360x740) and on a projector (1920x1080), has no horizontal page overflow and no axe-core
 * violation. The viewport is resized in place, so each main action runs once.
 */
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { axeViolations } from '../helpers/axe';
import jsQR from 'jsqr';
import { waitForState, type UserPage } from '../helpers/browser';
import { browserSuite } from '../helpers/suite';
import { TOUR, horizontalOverflow, openSized } from '../helpers/tour';

// Firefox: not yet. First run there (the day the two-browser harness landed) found real defects to fix:
// the gum page is 74 px wider than a 360 px screen in Firefox (label/select rows), "Space" is not a
// key puppeteer's WebDriver BiDi keyboard knows, and headless Firefox cannot share a screen.
const test = browserSuite('classroom: layout and accessibility', {}, {
  notIn: { firefox: 'gum overflows 74 px at 360 px in Firefox and the step keys need a BiDi-safe key name: to fix (issue 12 note)' },
});
const SIZES: [number, number][] = [[360, 740], [1920, 1080]];

/**
 * Overflow at both sizes; axe at the widths in `axeAt`. An axe run takes 0.5-1 s (several on a busy
 * machine), so each state gets one: the first state at 360 px, the state after the main action (when
 * the page shows the most) at 1920 px. The index has no action: both sizes in its first state.
 */
async function check(page: Page, where: string, axeAt: number[]): Promise<void> {
  for (const [width, height] of SIZES) {
    await page.setViewport({ width, height });
    const { overflow, culprits } = await horizontalOverflow(page);
    assert.is(overflow, 0, `${where} at ${width}x${height}: the page is ${overflow} px wider than the screen (${culprits.join(', ')})`);
    if (!axeAt.includes(width)) continue;
    const violations = await axeViolations(page);
    assert.equal(violations, [], `${where} at ${width}x${height}: axe violations:\n  ${violations.join('\n  ')}`);
  }
}

for (const stop of TOUR) {
  test(`${stop.path}: no overflow at 360 px, 0 axe violations, first state and after "${stop.action}"`, async ({ server, tb }) => {
    const others: UserPage[] = [];
    const user = await openSized(tb.browser, new URL(stop.path, server.url).toString(), 360, 740);
    try {
      await check(user.page, `${stop.path} (first state)`, stop.path === '/' ? [360, 1920] : [360]);
      await stop.run(user, async (url) => {
        const other = await openSized(tb.browser, url, 1280, 800);
        others.push(other);
        return other;
      });
      if (stop.path !== '/') await check(user.page, `${stop.path} (after ${stop.action})`, [1920]);
      assert.equal(user.errors, [], `errors on ${stop.path}`);
    } finally {
      for (const o of others) await o.context.close();
      await user.context.close();
    }
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

/** Presses → until the page's steps panel at `panel` has run `n` steps (skipping waits). */
async function stepWithKeys(page: Page, panel: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await page.waitForFunction((sel: string) => document.querySelector<HTMLElement>(sel)?.dataset.state === 'ready', { timeout: 15_000, polling: 50 }, panel);
    const before = await page.$$eval(`${panel} li[data-state="done"]`, (l) => l.length);
    await page.keyboard.press(i % 2 === 0 ? 'ArrowRight' : 'Space');
    await page.waitForFunction((sel: string, b: number) => document.querySelectorAll(`${sel} li[data-state="done"]`).length > b, { timeout: 15_000, polling: 50 }, panel, before);
  }
}

test('presenter mode (?present, remembered) on loopback at 1920x1080: large type; → and Space run steps; videos, current step with code and last result, and the diagram on one screen', async ({ server, tb }) => {
  const user = await openSized(tb.browser, `${server.url}loopback.html?present`, 1920, 1080);
  const { page } = user;
  try {
    assert.is(await page.$eval('#present-toggle', (b) => b.getAttribute('aria-pressed')), 'true');
    assert.ok((await px(page, 'body', 'fontSize')) >= 20, 'body text >= 20 px');
    assert.ok((await px(page, '.badge', 'fontSize')) >= 18, 'badges >= 18 px');
    assert.match(await page.$eval('#loopback-page', (e) => e.textContent ?? ''), /→.*Space/s);
    await page.click('#mode-step');
    assert.is(await page.$eval('#loopback-page', (e) => (e as HTMLElement).dataset.mode), 'step');
    await page.click('#start');
    await stepWithKeys(page, '#caller .steps', 5);
    await page.waitForSelector('#inspector[data-pending="no"]', { timeout: 10_000 }); // drawn in idle time
    for (const sel of ['#caller .local-video', '#callee .remote-video', '#caller .step-current h3', '#caller .step-current pre', '#caller .step-current .step-last', '#inspector .seq', '#inspector .seq-row:last-child']) {
      assert.is(await inViewport(page, sel), 'in view', sel);
    }
    assert.ok((await px(page, '#caller .step-current pre', 'fontSize')) >= 18, 'code >= 18 px');
    assert.ok((await px(page, '#inspector .seq-arrow', 'fontSize')) >= 16, 'diagram labels >= 16 px');
    // Remembered: the same page without ?present opens in presenter mode; the toggle turns it off.
    await page.goto(`${server.url}loopback.html`);
    assert.ok(await page.$eval('html', (e) => e.classList.contains('present')), 'remembered');
    await page.click('#present-toggle');
    assert.is(await page.$eval('#present-toggle', (b) => b.getAttribute('aria-pressed')), 'false');
    await page.reload();
    assert.not.ok(await page.$eval('html', (e) => e.classList.contains('present')), 'turned off and remembered');
  } finally {
    await user.context.close();
  }
});

test('presenter mode on the call page at 1920x1080 (step mode, two peers): videos, current step and diagram on one screen', async ({ server, tb }) => {
  const a = await openSized(tb.browser, `${server.url}call.html?room=present-1&mode=step&present`, 1920, 1080);
  const b = await openSized(tb.browser, `${server.url}call.html?room=present-1&mode=step`, 1280, 800);
  try {
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
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('call page: the "Share this room" QR code decodes to the room link; presenter graphs on a phone; after Hang up the page says plainly where you are', async ({ server, tb }) => {
  const url = `${server.url}call.html?room=qr-room`;
  const a = await openSized(tb.browser, url, 390, 844);
  const b = await openSized(tb.browser, url, 390, 844);
  try {
    const link = await a.page.$eval('#room-link', (e) => e.textContent ?? '');
    assert.is(link, `${server.url}call.html?room=qr-room`);
    const image = await a.page.$eval('#room-qr', (c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height);
      return { width: canvas.width, height: canvas.height, pixels: data ? [...data.data] : [] };
    });
    assert.is(jsQR(new Uint8ClampedArray(image.pixels), image.width, image.height)?.data, link);
    assert.match(await a.page.$eval('#room-qr-note', (e) => e.textContent ?? ''), /phone cannot reach/);
    await a.page.click('#join');
    await waitForState(a.page, '#room-state', 'joined');
    await b.page.click('#join');
    await waitForState(a.page, '#call-state', 'connected');
    assert.match(await a.page.$eval('#call-summary', (e) => e.textContent ?? ''), /^In a call in room "qr-room"/);
    // Presenter mode on a phone too: graphs at least 160 px tall, and still no horizontal overflow.
    await a.page.click('#present-toggle');
    await a.page.waitForSelector('#inspector .graph-svg', { timeout: 10_000 });
    assert.ok((await px(a.page, '#inspector .graph-svg', 'height')) >= 160, 'graphs >= 160 px tall');
    assert.is((await horizontalOverflow(a.page)).overflow, 0);
    await a.page.click('#hangup');
    await waitForState(a.page, '#call-state', 'idle');
    assert.match(await a.page.$eval('#call-summary', (e) => e.textContent ?? ''), /^You hung up\. No call now; you are still in room "qr-room" and your camera and microphone stay on\. Press Call again/);
    await waitForState(b.page, '#call-state', 'idle');
    assert.match(await b.page.$eval('#call-summary', (e) => e.textContent ?? ''), /^The other side hung up\./);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test.run();
