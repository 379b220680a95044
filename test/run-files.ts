/**
 * Runs the given uvu test files in this one process, one after the other, so they can share
 * browsers (helpers/browser.ts acquireBrowser), and prints "FILE-TIME <run> <ms>" after each.
 * A browser file may name the one browser to run it in: `test/browser/gum.test.ts@firefox`
 * (its browserSuite() then creates only that browser's suite). Started by test/run.mjs (one
 * process per share of the runs); run it through tsx:
 * `node --import tsx test/run-files.ts test/browser/call.test.ts@chromium …`.
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeSharedBrowsers } from './helpers/browser';

type Runner = () => Promise<[string, number, number, number]>;
const g = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: (string | Runner | null)[][] };
g.UVU_DEFER = 1;
const uvu = await import('uvu');
// Imports uvu, so only once uvu is set up to defer (a static import would run first).
const { collectNotRun } = await import('./helpers/suite');
// A browser with special options closes when unused for a second (keeping every launch variant
// open for the whole process loaded 2 cores too much), the default ones stay; what is still open
// closes when all files have run.

const everyBrowser = process.env.TEST_BROWSERS;
let index = 0;
for (const arg of process.argv.slice(2)) {
  const at = arg.lastIndexOf('@');
  const file = at > 0 ? arg.slice(0, at) : arg;
  const name = basename(arg);
  let t0 = 0;
  g.UVU_INDEX = index++;
  g.UVU_QUEUE.push([name, async () => {
    t0 = performance.now();
    return ['', 0, 0, 0];
  }]);
  // browserSuite() reads the browsers to run in when the file defines its suites, on import.
  if (at > 0) process.env.TEST_BROWSERS = arg.slice(at + 1);
  else if (everyBrowser === undefined) delete process.env.TEST_BROWSERS;
  else process.env.TEST_BROWSERS = everyBrowser;
  const notRun = collectNotRun();
  await import(pathToFileURL(resolve(file)).href);
  const group = g.UVU_QUEUE[g.UVU_INDEX];
  if (!group) throw new Error(`uvu queue has no group for ${name}`);
  group.push(async () => {
    for (const line of notRun) console.log(line);
    console.log(`\nFILE-TIME ${name} ${Math.round(performance.now() - t0)}`);
    return ['', 0, 0, 0];
  });
}
await uvu.exec();
await closeSharedBrowsers();
// Everything has run. A test that failed half-way can leave servers, sockets or timers open that
// would keep this process alive until test/run.mjs's time limit (300 s for unit files): give a clean
// exit 2 s, then end with uvu's exit code and say so.
setTimeout(() => {
  console.log(`\nopen handles kept this test process alive 2 s after its last test: exiting (code ${process.exitCode ?? 0})`);
  process.exit(process.exitCode ?? 0);
}, 2000).unref();
