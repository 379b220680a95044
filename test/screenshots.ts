/**
 * Screenshots of every page for a review by eye: the tour (test/helpers/tour.ts) at a phone
 * (390x844), a laptop (1280x800) and a projector (1920x1080), each page in its first state and after
 * its main action (what the screen shows, plus the whole page on the phone), and presenter mode in step
 * mode on the call and loopback pages. Needs `npm run build` first.
 *
 * Usage: `npx tsx test/screenshots.ts [folder]` (default: a new folder in the OS temp folder).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer';
import { launchBrowser, waitForState, type UserPage } from './helpers/browser';
import { startTestServer } from './helpers/server';
import { TOUR, openSized, stepWithKeys } from './helpers/tour';

const SIZES: [number, number][] = [[390, 844], [1280, 800], [1920, 1080]].filter(([w]) => !process.env.SHOT_WIDTHS || process.env.SHOT_WIDTHS.split(',').includes(String(w))) as [number, number][];
const out = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'webrtc-playground-shots-'));
mkdirSync(out, { recursive: true });

const name = (path: string) => (path === '/' ? 'index' : path.replace(/^\//, '').replace(/\.html.*$/, ''));

async function shoot(page: Page, file: string, fullPage = false): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(out, `${file}.png`), fullPage });
}

const server = await startTestServer();
const tb = await launchBrowser();
try {
  for (const [width, height] of SIZES) {
    for (const stop of TOUR) {
      const others: UserPage[] = [];
      const user = await openSized(tb.browser, new URL(stop.path, server.url).toString(), width, height);
      try {
        const base = `${name(stop.path)}-${width}`;
        await shoot(user.page, `${base}-1-first`);
        await stop.run(user, async (url) => {
          const other = await openSized(tb.browser, url, 1280, 800);
          others.push(other);
          return other;
        });
        await shoot(user.page, `${base}-2-after`);
        if (width < 600) await shoot(user.page, `${base}-3-after-full`, true);
      } catch (err) {
        console.error(`${stop.path} at ${width}x${height}: ${String(err)}`);
        process.exitCode = 1;
      } finally {
        for (const o of others) await o.context.close();
        await user.context.close();
      }
    }
  }
  // Presenter mode, step mode, at a projector's size.
  const a = await openSized(tb.browser, `${server.url}call.html?room=shots-present&mode=step&present`, 1920, 1080);
  const b = await openSized(tb.browser, `${server.url}call.html?room=shots-present&mode=step`, 1280, 800);
  await b.page.click('#join');
  await waitForState(b.page, '#room-state', 'joined');
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await a.page.bringToFront();
  await stepWithKeys(a.page, '#steps', 4);
  await shoot(a.page, 'present-call-1920');
  await a.context.close();
  await b.context.close();
  const l = await openSized(tb.browser, `${server.url}loopback.html?present`, 1920, 1080);
  await l.page.click('#mode-step');
  await shoot(l.page, 'present-loopback-1920-1-first');
  await l.page.click('#start');
  await stepWithKeys(l.page, '#caller .steps', 5);
  await shoot(l.page, 'present-loopback-1920-2-steps');
  await l.context.close();
  console.log(`screenshots in ${out}`);
} finally {
  await tb.close();
  await server.close();
}
