/**
 * Headless Chromium for browser tests: finds a system browser (puppeteer never downloads one here),
 * launches it with fake media devices and the flags a closed network needs, and opens pages in
 * separate incognito contexts (one per simulated user). Facts behind each flag:
 * ../shared/browser-testing.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer';
import { CHROMIUM, requirePart } from './real-parts';

/**
 * The Chromium to test with: `PUPPETEER_EXECUTABLE_PATH`, else the usual install paths.
 * @throws Error telling what to install when there is none.
 */
export function findChromium(): string {
  return requirePart(CHROMIUM);
}

/** Options of {@link launchBrowser}. */
export interface LaunchOptions {
  /** Auto-accept permission prompts (`--use-fake-ui-for-media-stream`). Default true. */
  fakeUi?: boolean;
  /** Value of `--use-fake-device-for-media-stream=` (e.g. `device-count=3`); '' for the default devices. */
  fakeDevice?: string;
  /** More Chromium flags. */
  args?: string[];
}

/** A launched browser plus its cleanup. */
export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Chromium with fake camera/microphone and quiet networking. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'wp-chromium-'));
  const fake = options.fakeDevice ? `--use-fake-device-for-media-stream=${options.fakeDevice}` : '--use-fake-device-for-media-stream';
  const args = [
    fake,
    ...(options.fakeUi ?? true ? ['--use-fake-ui-for-media-stream'] : []),
    '--autoplay-policy=no-user-gesture-required',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...(options.args ?? []),
  ];
  const browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    acceptInsecureCerts: true,
    userDataDir,
    args,
  });
  return {
    browser,
    async close() {
      await browser.close().catch((err: unknown) => console.error('closing the browser failed:', err));
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A page in its own incognito context (one simulated user), with console errors collected. */
export interface UserPage {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far. */
  errors: string[];
}

/**
 * Opens `url` in a fresh browser context.
 * @param grant permissions to grant the page's origin first (only matters without fake UI).
 */
export async function openUserPage(browser: Browser, url: string, grant?: ('camera' | 'microphone')[]): Promise<UserPage> {
  const context = await browser.createBrowserContext();
  if (grant) await context.overridePermissions(new URL(url).origin, grant);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()} ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { context, page, errors };
}

/** Waits until the element `selector` has `data-state` equal to one of `states`. */
export async function waitForState(page: Page, selector: string, states: string | string[], timeout = 15_000): Promise<string> {
  const wanted = Array.isArray(states) ? states : [states];
  try {
    await page.waitForFunction(
      (sel: string, ok: string[]) => ok.includes(document.querySelector<HTMLElement>(sel)?.dataset.state ?? ''),
      { timeout, polling: 50 },
      selector,
      wanted,
    );
  } catch (err) {
    const actual = await page.$eval(selector, (e) => (e as HTMLElement).dataset.state).catch(() => 'missing');
    throw new Error(`${selector} stayed data-state="${actual}" instead of ${wanted.join('|')} (${String(err)})`);
  }
  return page.$eval(selector, (e) => (e as HTMLElement).dataset.state ?? '');
}

/** The visible text of `selector` (trimmed), or '' when missing. */
export async function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (e) => (e.textContent ?? '').trim()).catch(() => '');
}
