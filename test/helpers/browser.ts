/**
 * Headless Chromium and Firefox for browser tests: finds the system browsers (puppeteer never
 * downloads one here), launches them with fake media devices and the settings a closed network
 * needs, and opens pages in separate incognito contexts (one per simulated user). Chromium is
 * driven over CDP, Firefox over WebDriver BiDi. Facts behind each flag and pref:
 * ../shared/browser-testing.md.
 */
import { appendFileSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer';
import { fastPage } from './fast-page';
import { CHROMIUM, FIREFOX, requirePart } from './real-parts';

/** The browsers the tests run in. */
export type BrowserName = 'chromium' | 'firefox';

/** Every browser the suite knows, in the order files run them. */
export const ALL_BROWSERS: readonly BrowserName[] = ['chromium', 'firefox'];

/**
 * The browsers this run tests: all of them, or the comma-separated list in `TEST_BROWSERS`
 * (e.g. `TEST_BROWSERS=firefox node test/run.mjs browser gum` while working on one browser).
 * @throws Error for a name that is not a {@link BrowserName}.
 */
export function browsersUnderTest(): BrowserName[] {
  const env = process.env.TEST_BROWSERS?.trim();
  if (!env) return [...ALL_BROWSERS];
  const names = env.split(',').map((n) => n.trim()).filter(Boolean);
  for (const n of names) {
    if (!(ALL_BROWSERS as readonly string[]).includes(n)) throw new Error(`TEST_BROWSERS: unknown browser "${n}" (use ${ALL_BROWSERS.join(', ')})`);
  }
  return names as BrowserName[];
}

/**
 * The Chromium to test with: `PUPPETEER_EXECUTABLE_PATH`, else the usual install paths.
 * @throws Error telling what to install when there is none.
 */
export function findChromium(): string {
  return requirePart(CHROMIUM);
}

/**
 * The Firefox to test with: `FIREFOX_EXECUTABLE_PATH`, else `/usr/bin/firefox-esr` and the usual paths.
 * @throws Error telling what to install when there is none.
 */
export function findFirefox(): string {
  return requirePart(FIREFOX);
}

/** Options of {@link launchBrowser}. */
export interface LaunchOptions {
  /** Which browser. Default `'chromium'`. */
  browser?: BrowserName;
  /**
   * Skip permission prompts: Chromium `--use-fake-ui-for-media-stream` (accepts), Firefox
   * `media.navigator.permission.disabled` (no prompt). Default true. Without it, grant per context
   * with {@link openUserPage}'s `grant`.
   */
  fakeUi?: boolean;
  /** Chromium only: value of `--use-fake-device-for-media-stream=` (e.g. `device-count=3`). Firefox has one fake camera and one fake microphone. */
  fakeDevice?: string;
  /**
   * Frame rate of the fake camera (frames/s), both browsers. Default {@link FAKE_CAMERA_FPS}: the
   * browsers' own 20 (Chromium) and 30 (Firefox) frames/s cost every open page CPU to capture, draw,
   * encode and decode, which a 2-core machine running both browsers' tests side by side lacks.
   */
  fps?: number;
  /** Chromium only: more command-line flags. */
  args?: string[];
  /**
   * puppeteer's network events (`HTTPRequest`/`HTTPResponse`, page `response`). Default true.
   * Off for benchmarks: with them every request and WebSocket frame of every page is also reported
   * to the test process as a DevTools event, work that sits in the path of each signaling message.
   */
  networkEnabled?: boolean;
  /** Firefox only: more preferences (about:config). */
  firefoxPrefs?: Record<string, string | number | boolean>;
}

/** A launched browser plus its cleanup. */
export interface TestBrowser {
  /** Which browser this is. */
  name: BrowserName;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The fake camera's frame rate in tests (frames/s) unless a suite asks for another: enough for
 * "frames keep coming" checks and for a learner's eye in screenshots.
 */
export const FAKE_CAMERA_FPS = 15;

/** Chromium flags: fake devices, autoplay, and quiet networking on a closed network. */
function chromiumArgs(options: LaunchOptions): string[] {
  const fake = `--use-fake-device-for-media-stream=${[options.fakeDevice, `fps=${options.fps ?? FAKE_CAMERA_FPS}`].filter(Boolean).join(',')}`;
  return [
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
    // Chromium 156 preloads the address bar's suggestion popup (chrome://omnibox-popup.top-chrome) as a
    // WebUI renderer for every window, i.e. every test user: measured at 13–22% CPU each while pages
    // start, about a fifth of a two-user call test's Chromium CPU. Headless tests never type an address.
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...(options.args ?? []),
  ];
}

/** Firefox preferences: fake devices and outputs, autoplay, host candidates as plain IPs. */
function firefoxPrefs(options: LaunchOptions): Record<string, string | number | boolean> {
  const fakeUi = options.fakeUi ?? true;
  return {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': fakeUi,
    // Without fake UI every context is denied, as in Chromium without grants (2 = block): Firefox
    // cannot grant camera/microphone per context over WebDriver BiDi, see openUserPage.
    ...(fakeUi ? {} : { 'permissions.default.camera': 2, 'permissions.default.microphone': 2 }),
    // Fake audio outputs (setSinkId, selectAudioOutput) and an AudioContext that really runs.
    'media.cubeb.force_mock_context': true,
    // mDNS host candidates occasionally stall Firefox↔Firefox calls by ~3 s on loopback.
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'media.navigator.video.default_fps': options.fps ?? FAKE_CAMERA_FPS,
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
    ...options.firefoxPrefs,
  };
}

/**
 * What a Firefox profile keeps from its first start that makes later starts cheaper: the startup
 * cache (compiled browser code, ~30 MB), the add-on and certificate databases, and the version
 * stamp that keeps them valid. Nothing a test could see: no prefs.js (a launch's own prefs would
 * leak into the next), no permissions, storage, cookies, history or certificate exceptions.
 */
const FIREFOX_WARM_FILES = ['startupCache', 'compatibility.ini', 'extensions.json', 'addonStartup.json.lz4', 'extension-preferences.json', 'search.json.mozlz4', 'cert9.db', 'key4.db', 'pkcs11.txt', 'times.json', 'security_state'];

/** Where the warm files of this Firefox build are kept between launches (a new build gets a new folder). */
function firefoxWarmDir(): string {
  return join(tmpdir(), `wp-firefox-warm-${Math.round(statSync(findFirefox()).mtimeMs)}`);
}

/**
 * Copies the warm files into a new profile, when a Firefox of this build has closed before:
 * measured here, a start with a fresh profile cost ~10 s of CPU, one with these files ~5 s.
 */
function warmFirefoxProfile(profile: string): void {
  const warm = firefoxWarmDir();
  if (existsSync(join(warm, 'ready'))) cpSync(warm, profile, { recursive: true });
}

/** Keeps the warm files of a profile whose Firefox has closed, unless another launch kept them first. */
function keepFirefoxWarmFiles(profile: string): void {
  const warm = firefoxWarmDir();
  if (existsSync(warm)) return;
  const staging = mkdtempSync(`${warm}-`);
  try {
    for (const f of FIREFOX_WARM_FILES) {
      if (existsSync(join(profile, f))) cpSync(join(profile, f), join(staging, f), { recursive: true });
    }
  } catch (err) {
    // A file went away while copying (a Firefox process still closing): the next closing keeps them.
    rmSync(staging, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  writeFileSync(join(staging, 'ready'), '');
  try {
    renameSync(staging, warm);
  } catch (err) {
    // Another test process kept its files first (its folder is complete: it was renamed whole).
    rmSync(staging, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
}

/**
 * Launches a headless browser (Chromium by default, or `options.browser`) with a fake camera and
 * microphone, accepting the tests' self-signed certificate.
 * @throws Error telling what to install when the browser is missing; puppeteer's launch errors.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  const name = options.browser ?? 'chromium';
  const userDataDir = mkdtempSync(join(tmpdir(), `wp-${name}-`));
  if (name === 'firefox') warmFirefoxProfile(userDataDir);
  const browser =
    name === 'firefox'
      ? await puppeteer.launch({
          browser: 'firefox',
          executablePath: findFirefox(),
          headless: true,
          acceptInsecureCerts: true,
          networkEnabled: options.networkEnabled ?? true,
          userDataDir,
          extraPrefsFirefox: firefoxPrefs(options),
        })
      : await puppeteer.launch({
          executablePath: findChromium(),
          headless: true,
          acceptInsecureCerts: true,
          networkEnabled: options.networkEnabled ?? true,
          userDataDir,
          args: chromiumArgs(options),
        });
  // puppeteer starts each browser in a process group of its own: a test process killed by the
  // runner's time limit would leave it running, so the runner learns its pid (test/run.mjs).
  const pid = browser.process()?.pid;
  if (pid !== undefined && process.env.TEST_BROWSER_PIDS) appendFileSync(process.env.TEST_BROWSER_PIDS, `${pid}\n`);
  // Firefox without fake UI: pages opened with a grant go to a second Firefox that allows
  // camera and microphone, launched on first use.
  let allowing: Promise<TestBrowser> | undefined;
  const allow = name === 'firefox' && options.fakeUi === false
    ? () => (allowing ??= acquireBrowser({ ...options, fakeUi: true })).then((t) => t.browser)
    : undefined;
  launched.set(browser, { name, allow });
  return {
    name,
    browser,
    async close() {
      await Promise.all([
        browser.close().catch((err: unknown) => console.error('closing the browser failed:', err)),
        allowing?.then((t) => t.close()),
      ]);
      if (name === 'firefox') keepFirefoxWarmFiles(userDataDir);
      // Retried: a Firefox child process can still be writing into its profile for a moment (ENOTEMPTY).
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** Browsers shared by the suites of one test process, by launch options. */
const pool = new Map<string, { tb: Promise<TestBrowser>; users: number; timer?: NodeJS.Timeout }>();

/** How long an unused shared browser stays open for the next suite (ms). */
const POOL_GRACE_MS = 1_000;

/** Closes every shared browser now (the end of a test process, test/run-files.ts). */
export async function closeSharedBrowsers(): Promise<void> {
  const entries = [...pool.values()];
  pool.clear();
  await Promise.all(entries.map(async (e) => {
    clearTimeout(e.timer);
    const tb = await e.tb.catch((err: unknown) => {
      console.error('a shared browser never launched:', err); // its suites failed and said so already
      return undefined;
    });
    await tb?.close();
  }));
}

/**
 * A browser launched with `options`, shared with the other suites of this process that ask for
 * the same options (a Firefox launch costs 2–3 s on an idle machine, much more on a busy one).
 * Each simulated user still gets its own incognito context. `close()` releases it; the browser
 * closes once no suite has used it for a second, except those with default options (with or
 * without fake UI), which stay open for the next suite until {@link closeSharedBrowsers}.
 */
export function acquireBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  // Only what reaches the browser tells launches apart (Chromium flags mean nothing to Firefox).
  const name = options.browser ?? 'chromium';
  const fakeUi = options.fakeUi ?? true;
  const key = JSON.stringify(
    name === 'firefox'
      ? { name, fakeUi, fps: options.fps, prefs: options.firefoxPrefs ?? {} }
      : { name, fakeUi, fps: options.fps, fakeDevice: options.fakeDevice ?? '', args: options.args ?? [] },
  );
  // The browsers most suites ask for (default options, with or without fake UI) stay open until the
  // process ends (closeSharedBrowsers): a suite with other options in between would otherwise close
  // them and the next suite launch them again.
  const everyday = [true, false].some((ui) => key === JSON.stringify(name === 'firefox' ? { name, fakeUi: ui, prefs: {} } : { name, fakeUi: ui, fakeDevice: '', args: [] }));
  let entry = pool.get(key);
  if (!entry) {
    entry = { tb: launchBrowser(options), users: 0 };
    pool.set(key, entry);
    entry.tb.catch(() => pool.delete(key));
  }
  const e = entry;
  clearTimeout(e.timer);
  e.users++;
  return e.tb.then((tb) => ({
    name: tb.name,
    browser: tb.browser,
    async close() {
      if (--e.users > 0 || everyday) return;
      e.timer = setTimeout(() => {
        if (e.users > 0) return;
        pool.delete(key);
        void tb.close();
      }, POOL_GRACE_MS);
    },
  }));
}

/** What {@link openUserPage} needs to know about a browser from {@link launchBrowser}. */
const launched = new WeakMap<Browser, { name: BrowserName; allow: (() => Promise<Browser>) | undefined }>();

/** Which browser `browser` is (from {@link launchBrowser}); Chromium for one launched elsewhere. */
export function browserName(browser: Browser): BrowserName {
  return launched.get(browser)?.name ?? 'chromium';
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
 * @param grant permissions to grant the page's origin first (only matters without fake UI). Firefox
 *   cannot grant camera or microphone per context over WebDriver BiDi ("unsupported operation"), so
 *   there the page opens in a companion Firefox that allows both (camera and microphone together only).
 * @throws Error for a Firefox grant of only one of camera and microphone.
 */
export async function openUserPage(browser: Browser, url: string, grant?: ('camera' | 'microphone')[]): Promise<UserPage> {
  const info = launched.get(browser);
  if (grant?.length && info?.name === 'firefox') {
    if (!(grant.includes('camera') && grant.includes('microphone'))) {
      throw new Error('Firefox tests can grant camera and microphone only together (no per-context permissions over WebDriver BiDi)');
    }
    if (info.allow) browser = await info.allow();
    grant = undefined;
  }
  const context = await browser.createBrowserContext();
  if (grant) await context.overridePermissions(new URL(url).origin, grant);
  // Firefox opens a context's page as a tab of one shared window, where all but the front tab are
  // background tabs with throttled timers (a step-mode call slowed to seconds per step): give each
  // user its own window, as Chromium does for each context.
  const page = fastPage(await context.newPage(launched.get(browser)?.name === 'firefox' ? { type: 'window' } : undefined));
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

/**
 * The visible text of `selector` (trimmed), or '' when missing. Text inside an `aria-busy="true"`
 * region (a problem box whose explanation is still loading, src/ui/dom.ts showError) is read once
 * the region is done, up to 10 s: what a user reads, not the placeholder before it.
 */
export async function textOf(page: Page, selector: string): Promise<string> {
  await page.waitForFunction((sel: string) => !document.querySelector(sel)?.closest('[aria-busy="true"]'), { timeout: 10_000, polling: 50 }, selector)
    .catch((err: unknown) => console.error(`textOf: ${selector} still aria-busy (${String(err)})`));
  return page.$eval(selector, (e) => (e.textContent ?? '').trim()).catch(() => '');
}
