/**
 * Runs the given uvu test files in this one process, one after the other, so they can share
 * browsers (helpers/browser.ts acquireBrowser), and prints "FILE-TIME <file> <ms>" after each.
 * Started by test/run.mjs (one process per group of browser files); run it through tsx:
 * `node --import tsx test/run-files.ts test/browser/call.test.ts …`.
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Runner = () => Promise<[string, number, number, number]>;
const g = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: (string | Runner | null)[][] };
g.UVU_DEFER = 1;
const uvu = await import('uvu');

let index = 0;
for (const file of process.argv.slice(2)) {
  const name = basename(file);
  let t0 = 0;
  g.UVU_INDEX = index++;
  g.UVU_QUEUE.push([name, async () => {
    t0 = performance.now();
    return ['', 0, 0, 0];
  }]);
  await import(pathToFileURL(resolve(file)).href);
  const group = g.UVU_QUEUE[g.UVU_INDEX];
  if (!group) throw new Error(`uvu queue has no group for ${name}`);
  group.push(async () => {
    console.log(`\nFILE-TIME ${name} ${Math.round(performance.now() - t0)}`);
    return ['', 0, 0, 0];
  });
}
await uvu.exec();
