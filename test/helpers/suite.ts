/**
 * The usual browser test file: a uvu suite whose context holds one playground server (port 0)
 * and one headless Chromium, started before the first test and closed after the last.
 */
import { suite, type Test } from 'uvu';
import type { PlaygroundServer } from '../../server/app';
import { launchBrowser, type LaunchOptions, type TestBrowser } from './browser';
import { startTestServer } from './server';

/** Context of a {@link browserSuite}: the running server and browser. */
export type BrowserSuiteContext = { server: PlaygroundServer; tb: TestBrowser };

/**
 * Creates a suite named `name` with a server and a browser launched with `launch`.
 * @returns the uvu suite; call `.run()` at the end of the file as usual.
 */
export function browserSuite(name: string, launch: LaunchOptions = {}): Test<BrowserSuiteContext> {
  const test = suite<BrowserSuiteContext>(name);
  test.before(async (ctx) => {
    ctx.server = await startTestServer();
    ctx.tb = await launchBrowser(launch);
  });
  test.after(async (ctx) => {
    await ctx.tb.close();
    await ctx.server.close();
  });
  return test;
}
