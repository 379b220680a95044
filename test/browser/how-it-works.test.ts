/**
 * The "How it works" panel on every page: the code it shows is the source of the function that
 * really runs (compared with the function the built page holds), it loads lazily, lights up when
 * its code runs, is accessible (axe) and fits a 360 px phone. One page visit per page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import type { Page } from 'puppeteer';
import * as assert from 'uvu/assert';
import { extractMarked } from '../../src/build/source-text.mjs';
import { axeViolations } from '../helpers/axe';
import { openUserPage, waitForState } from '../helpers/browser';
import { ROOT } from '../helpers/server';
import { browserSuite } from '../helpers/suite';

const test = browserSuite('how it works panel');

const extract: (source: string) => Record<string, string> = extractMarked;

/** Every `// @show` text of the files the panels draw from, by key. */
const SOURCES: Record<string, string> = Object.assign(
  {},
  ...['media/capture', 'media/devices', 'media/display', 'media/recorder', 'media/sink', 'rtc/codecs', 'rtc/encoding', 'rtc/ice-gatherer', 'rtc/perfect-negotiator', 'rtc/step-actions'].map(
    (f) => extract(readFileSync(join(ROOT, 'src', `${f}.ts`), 'utf8')),
  ),
) as Record<string, string>;

/**
 * The JavaScript esbuild makes of a function's text, minus whitespace, types, comments and the
 * function's own name (the bundle renames `function getUserMedia` to `getUserMedia2` next to the
 * exported `const getUserMedia` that wraps it) and the digits the bundler appends to a local name
 * that collides with another module's (`el` becomes `el2`).
 */
function normalise(fnText: string): string {
  const js = transformSync(`(${fnText})`, { loader: 'ts', minifyWhitespace: true, format: 'esm' }).code;
  return js.replace(/__name\(([^,]+),"[^"]*"\)/g, '$1').replace(/^\((async )?function\s*[\w$]+\(/, '($1function(').replace(/\b([A-Za-z_$][\w$]*?)\d+\b/g, '$1').trim();
}

type Shown = { keys: string; code: string; running: string | null; state: string; result: string };

/** Opens the panel and returns its entries, with the running function's source for each. */
async function openPanel(page: Page): Promise<Shown[]> {
  await page.click('#how-it-works > summary');
  await page.waitForSelector('#how-it-works[data-loaded="true"]', { timeout: 10_000 });
  // A function in a part the page loads in idle time (the call machinery) is at hand once loaded.
  await page.waitForFunction(() => {
    const debug = (globalThis as unknown as { playground: { howItWorks: { running(key: string): string | undefined } } }).playground.howItWorks;
    return [...document.querySelectorAll<HTMLElement>('#how-it-works .how-entry')].every((s) => {
      const key = (s.dataset.keys ?? '').split(' ')[0] ?? '';
      return /^(caller|callee)-|^negotiate$|^receive-signal$/.test(key) || debug.running(key) !== undefined;
    });
  }, { timeout: 10_000, polling: 50 }).catch((err: unknown) => {
    // Timed out: the comparison below says which function is missing.
    if (!/Waiting failed/.test(String(err))) throw err;
  });
  return page.$$eval('#how-it-works .how-entry', (sections) => {
    const debug = (globalThis as unknown as { playground: { howItWorks: { running(key: string): string | undefined } } }).playground.howItWorks;
    return sections.map((s) => {
      const keys = (s as HTMLElement).dataset.keys ?? '';
      return {
        keys,
        code: s.querySelector('.how-code')?.textContent ?? '',
        running: debug.running(keys.split(' ')[0] ?? '') ?? null,
        state: (s as HTMLElement).dataset.state ?? '',
        result: s.querySelector('.how-result')?.textContent ?? '',
      };
    });
  });
}

const PAGES: Record<string, string[]> = {
  '/gum.html': ['getUserMedia', 'applyConstraints', 'stopStream'],
  '/recorder.html': ['getUserMedia', 'getDisplayMedia', 'MediaRecorder', 'MediaRecorder.start', 'stopStream'],
  '/screen.html': ['getDisplayMedia', 'MediaRecorder', 'MediaRecorder.start', 'stopStream'],
  '/devices.html': ['enumerateDevices', 'openInputs', 'setSinkId', 'stopStream'],
  '/call.html': ['getUserMedia', 'setCodecPreferences', 'negotiate', 'receive-signal', 'caller-create-offer', 'callee-create-answer', 'caller-set-local-offer', 'callee-set-remote-offer', 'callee-add-candidates', 'setParameters'],
  '/loopback.html': ['getUserMedia', 'negotiate', 'receive-signal', 'caller-create-offer', 'callee-create-answer', 'caller-set-local-offer', 'callee-set-remote-offer', 'callee-add-candidates'],
  '/ice.html': ['gather'],
};

test('every page: the panel shows the source of the functions that run, lights up when they run, passes axe (call page), fits 360 px', async ({ server, tb }) => {
  const { page, context, errors } = await openUserPage(tb.browser, server.url);
  await page.setViewport({ width: 360, height: 740 });
  // The index teaches no API and says so.
  await page.click('#how-it-works > summary');
  await page.waitForSelector('#how-it-works [data-empty="true"]', { timeout: 10_000 });

  for (const [path, keys] of Object.entries(PAGES)) {
    await page.goto(server.url + path, { waitUntil: 'load' });
    // Lazy: the panel's code is not in the page's first script; it arrives when idle or opened.
    if (path === '/gum.html') {
      // Runs before the panel is opened are not lost.
      await page.click('#start');
      await waitForState(page, '#capture-state', 'live');
    }
    const shown = await openPanel(page);
    assert.equal(shown.map((s) => s.keys.split(' ')[0]), keys, `${path}: the entries`);
    let compared = 0;
    for (const s of shown) {
      const key = s.keys.split(' ')[0] ?? '';
      assert.is(s.code, SOURCES[key], `${path} ${key}: the text is the function's source as in the repository`);
      if (s.running !== null) {
        // The function the page runs (its compiled text, from the built bundle) is the one shown.
        assert.is(normalise(s.running), normalise(s.code), `${path} ${key}: shown code differs from the running function`);
        compared++;
      }
    }
    // Every entry but the step-mode steps and the negotiator's private methods has its running
    // function at hand (those two are compared in unit tests: step-code.test.ts).
    assert.ok(compared >= shown.filter((s) => !/^(caller|callee)-|^negotiate$|^receive-signal$/.test(s.keys)).length, `${path}: compared ${compared}; no running function for ${shown.filter((s) => s.running === null).map((s) => s.keys).join(', ')}`);
    if (path === '/gum.html') {
      const gum = shown.find((s) => s.keys === 'getUserMedia');
      assert.is(gum?.state, 'ran', 'getUserMedia ran before the panel opened: shown as ran');
      assert.match(gum?.result ?? '', /MediaStream \(audio, video\)/);
      // And live: stopping lights stopStream up.
      await page.click('#stop-all');
      await page.waitForSelector('#how-it-works .how-entry[data-keys="stopStream"][data-state="ran"]', { timeout: 5000 });
    }
    if (path === '/devices.html') {
      await page.waitForSelector('#how-it-works .how-entry[data-keys="enumerateDevices"][data-state="ran"]', { timeout: 5000 });
    }
    if (path === '/call.html') {
      // The panel's markup is the same on every page: axe it once, open, on the fullest page.
      assert.equal(await axeViolations(page), [], `${path}: axe with the panel open`);
    }
    const overflow = await page.$eval('#how-it-works', (d) => d.getBoundingClientRect().right - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path}: the panel fits 360 px (overflows by ${overflow} px)`);
  }
  assert.equal(errors, []);
  await context.close();
});

test.run();
