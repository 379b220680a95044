/**
 * The usual browser test file: a uvu suite whose context holds one playground server (port 0)
 * and one headless browser, started before the first test and closed after the last, defined
 * once and run in every browser:
 *
 * ```ts
 * const test = browserSuite('call page');          // runs in Chromium, then in Firefox
 * test('…', async ({ server, tb }) => { … });      // tb.name says which browser this run is
 * test.run();
 * ```
 *
 * Where a browser truly lacks a feature, the test still runs there and asserts what the page says
 * about it, and calls {@link notInThisBrowser} so the run prints the reason.
 */
import { suite, type Callback, type Test } from 'uvu';
import type { PlaygroundServer } from '../../server/app';
import { acquireBrowser, browsersUnderTest, type BrowserName, type LaunchOptions, type TestBrowser } from './browser';
import { startTestServer } from './server';

export { browsersUnderTest, type BrowserName };

/** Context of a {@link browserSuite}: the running server and browser. */
export type BrowserSuiteContext = { server: PlaygroundServer; tb: TestBrowser };

/** Which browsers a {@link browserSuite} runs in. */
export interface SuiteOptions {
  /**
   * Default: every browser under test ({@link browsersUnderTest}). Narrow it only when a whole file
   * cannot apply to a browser, and say why in the file.
   */
  browsers?: readonly BrowserName[];
  /**
   * Browsers this file does not run in, each with the reason (printed in the run's summary).
   * For a feature a browser lacks, prefer running the test there and asserting the page's
   * explanation (see {@link notInThisBrowser}); this is for a whole file that cannot apply.
   */
  notIn?: Partial<Record<BrowserName, string>>;
}

/** Longest a browser test may take (ms): `TEST_TIMEOUT_MS`, default 90 s. */
const TEST_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 90_000);

/**
 * `fn` failing with a clear error after {@link TEST_TIMEOUT_MS} instead of hanging the whole file
 * (a hung test would otherwise only end when the runner kills the file, reporting nothing).
 */
function withTimeout<T>(name: string, fn: Callback<T>): Callback<T> {
  return async (ctx) => {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`"${name}" took longer than ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
    });
    const t0 = performance.now();
    try {
      await Promise.race([fn(ctx), limit]);
    } finally {
      clearTimeout(timer);
      if (process.env.TEST_TIMES) console.log(`\nTEST-TIME ${Math.round(performance.now() - t0)} ${name}`);
    }
  };
}

/**
 * One uvu suite per browser behind one `Test` object: each test and hook registered on it is
 * registered on every browser's suite, and `run()` queues them all (they run one after the other).
 */
function fanOut<T>(suites: Test<T>[]): Test<T> {
  const timed = (register: (t: Test<T>, name: string, fn: Callback<T>) => void) => (name: string, fn: Callback<T>) => {
    for (const t of suites) register(t, name, withTimeout(name, fn));
  };
  const hook = (pick: (t: Test<T>) => Test<T>['before']) =>
    Object.assign(
      (fn: Callback<T>) => {
        for (const t of suites) pick(t)(fn);
      },
      {
        each: (fn: Callback<T>) => {
          for (const t of suites) pick(t).each(fn);
        },
      },
    );
  return Object.assign(
    timed((t, name, fn) => t(name, fn)),
    {
      only: timed((t, name, fn) => t.only(name, fn)),
      skip: (name?: string, fn?: Callback<T>) => {
        for (const t of suites) t.skip(name, fn);
      },
      before: hook((t) => t.before),
      after: hook((t) => t.after),
      run: () => {
        for (const t of suites) t.run();
      },
    },
  );
}

/**
 * Creates the suite `name` with a server and a browser launched with `launch`, once per browser
 * (suite names get the browser's, e.g. `call page [firefox]`). `launch.args` reach Chromium only,
 * `launch.firefoxPrefs` Firefox only. Hooks added with `test.before` run after the server and
 * browser are up; `test.after` hooks run before they close.
 * @typeParam Extra more context the file's own `before` hooks fill in (e.g. a temp folder).
 * @returns a uvu `Test`; call `.run()` at the end as usual.
 */
export function browserSuite<Extra extends object = object>(
  name: string,
  launch: Omit<LaunchOptions, 'browser'> = {},
  options: SuiteOptions = {},
): Test<BrowserSuiteContext & Extra> {
  const browsers = (options.browsers ?? browsersUnderTest()).filter((b) => {
    const why = options.notIn?.[b];
    if (why && deferredNotRun) deferredNotRun.push(notRunLine(b, name, why));
    else if (why) notInThisBrowser(b, name, why);
    return !why;
  });
  const suites = browsers.map((browser) => {
    const test = suite<BrowserSuiteContext & Extra>(`${name} [${browser}]`);
    test.before(async (ctx) => {
      [ctx.server, ctx.tb] = await Promise.all([startTestServer(), acquireBrowser({ ...launch, browser })]);
    });
    return test;
  });
  const test = fanOut(suites);
  // Registered last would be too late for hooks the file adds; uvu runs after-hooks in order, so
  // the closing hook goes in at run() time, after the file's own.
  test.run = () => {
    for (const s of suites) {
      s.after(async (ctx) => {
        await Promise.all([ctx.tb?.close(), ctx.server?.close()]);
      });
      s.run();
    }
  };
  return test;
}

/** Context of a {@link crossBrowserSuite}: the running server and one browser of each kind. */
export type CrossBrowserSuiteContext = { server: PlaygroundServer; chromium: TestBrowser; firefox: TestBrowser };

/**
 * Creates a suite with a server, a Chromium and a Firefox (launched side by side), for tests
 * where the two browsers talk to each other.
 * @param launch options for both browsers (`browser` is ignored).
 */
export function crossBrowserSuite(name: string, launch: Omit<LaunchOptions, 'browser'> = {}): Test<CrossBrowserSuiteContext> {
  const test = suite<CrossBrowserSuiteContext>(`${name} [chromium+firefox]`);
  test.before(async (ctx) => {
    [ctx.server, ctx.chromium, ctx.firefox] = await Promise.all([
      startTestServer(),
      acquireBrowser({ ...launch, browser: 'chromium' }),
      acquireBrowser({ ...launch, browser: 'firefox' }),
    ]);
  });
  test.after(async (ctx) => {
    await Promise.all([ctx.chromium?.close(), ctx.firefox?.close(), ctx.server?.close()]);
  });
  return test;
}

/**
 * Prints, in the run's output and its closing summary, that `what` is not exercised in `browser`
 * and why (e.g. headless Firefox has no getDisplayMedia). The test around it must still assert
 * what the user sees in that browser (usually the page's plain-words explanation).
 */
export function notInThisBrowser(browser: BrowserName, what: string, why: string): void {
  console.log(notRunLine(browser, what, why));
}

/** The line {@link notInThisBrowser} prints. */
function notRunLine(browser: BrowserName, what: string, why: string): string {
  return `\nNOT-RUN [${browser}] ${what}: ${why}`;
}

/** Where {@link browserSuite} puts the NOT-RUN lines of the browsers it leaves out, while collecting. */
let deferredNotRun: string[] | null = null;

/**
 * Starts collecting the NOT-RUN lines of suites left out when a file is imported (test/run-files.ts
 * imports every file before running any, so printed at once they would land in another file's
 * output) and returns the list they go to; the caller prints them in the file's own output.
 */
export function collectNotRun(): string[] {
  deferredNotRun = [];
  return deferredNotRun;
}
