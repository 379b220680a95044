import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Metafile } from 'esbuild';
import { INITIAL_JS_BUDGET, measurePages, pageSizes } from '../../build.mjs';

/** A metafile output (only what pageSizes reads). */
const out = (imports: { path: string; kind: 'import-statement' | 'dynamic-import' }[], entryPoint?: string) =>
  ({ bytes: 0, inputs: {}, exports: [], imports: imports.map((i) => ({ ...i, external: false })), ...(entryPoint ? { entryPoint } : {}) });

test('a page counts its entry and static imports as initial, and what only dynamic imports reach as later', () => {
  const metafile = {
    inputs: {},
    outputs: {
      'dist/js/a.js': out([{ path: 'dist/js/chunks/shared.js', kind: 'import-statement' }, { path: 'dist/js/chunks/lazy.js', kind: 'dynamic-import' }], 'src/pages/a.ts'),
      'dist/js/chunks/shared.js': out([{ path: 'dist/js/chunks/deep.js', kind: 'import-statement' }]),
      'dist/js/chunks/deep.js': out([]),
      'dist/js/chunks/lazy.js': out([{ path: 'dist/js/chunks/shared.js', kind: 'import-statement' }, { path: 'dist/js/chunks/lazier.js', kind: 'import-statement' }], 'src/ui/lazy.ts'),
      'dist/js/chunks/lazier.js': out([]),
      'dist/js/a.js.map': out([]),
    },
  } as unknown as Metafile;
  const size: Record<string, number> = { 'dist/js/a.js': 100, 'dist/js/chunks/shared.js': 10, 'dist/js/chunks/deep.js': 1, 'dist/js/chunks/lazy.js': 1000, 'dist/js/chunks/lazier.js': 5 };
  const rows = pageSizes(metafile, (f) => new Uint8Array(size[f] ?? 0));
  assert.equal(rows.map((r) => [r.name, r.initialRaw, r.laterRaw]), [['a', 111, 1005]], 'the dynamically imported chunk is not a page and not initial');
  const [a] = rows;
  assert.ok(a && a.initialGzip > 0 && a.laterGzip > 0);
});

test(`every page loads at most ${INITIAL_JS_BUDGET / 1024} KiB of JS (gzip, minified) before anything is opened`, async () => {
  const rows = await measurePages();
  assert.ok(rows.some((r) => r.name === 'call') && rows.some((r) => r.name === 'loopback'), `pages measured: ${rows.map((r) => r.name).join(', ')}`);
  const over = rows.filter((r) => r.initialGzip > INITIAL_JS_BUDGET).map((r) => `${r.name} ${(r.initialGzip / 1024).toFixed(1)} KiB`);
  assert.equal(over, [], `pages over the initial JS budget: ${over.join(', ')} (load what is opened later with import())`);
  // The call page's inspector and step mode really load later.
  const call = rows.find((r) => r.name === 'call');
  assert.ok(call && call.laterGzip > call.initialGzip, 'the call page defers more than it loads at first');
});

test.run();
