// Bundles one ESM entry per page (src/pages/*.ts) into dist/js/ with esbuild: shared chunks via
// splitting, source maps, minified with --production. Prints each page's JS size (raw and gzip).
// --watch rebuilds on change (used by `npm run dev`).
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const production = args.has('--production');
const outdir = join(root, 'dist', 'js');

const entryPoints = readdirSync(join(root, 'src', 'pages'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(root, 'src', 'pages', f));

/** @type {esbuild.Plugin} */
const report = {
  name: 'report',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length > 0) return;
      const outputs = Object.entries(result.metafile?.outputs ?? {});
      const rows = [];
      for (const [file, out] of outputs) {
        if (!out.entryPoint || file.endsWith('.map')) continue;
        // A page loads its entry plus every chunk it imports (transitively).
        const seen = new Set();
        const visit = (f) => {
          if (seen.has(f)) return;
          seen.add(f);
          for (const imp of result.metafile.outputs[f]?.imports ?? []) if (imp.kind === 'import-statement') visit(imp.path);
        };
        visit(file);
        let raw = 0;
        let gz = 0;
        for (const f of seen) {
          const buf = readFileSync(join(root, f));
          raw += buf.length;
          gz += gzipSync(buf).length;
        }
        rows.push([basename(file, '.js'), raw, gz]);
      }
      rows.sort((a, b) => a[0].localeCompare(b[0]));
      const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
      console.log(`built ${rows.length} pages${production ? ' (production)' : ''} into ${relative(root, outdir)}/`);
      for (const [name, raw, gz] of rows) console.log(`  ${name.padEnd(12)} ${kb(raw)} raw ${kb(gz)} gzip`);
    });
  },
};

/** @type {esbuild.BuildOptions} */
const options = {
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  sourcemap: true,
  minify: production,
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  define: { __DEV__: watch ? 'true' : 'false' },
  logLevel: 'warning',
  plugins: [report],
};

try {
  if (statSync(outdir, { throwIfNoEntry: false })) rmSync(outdir, { recursive: true, force: true });
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    console.log('watching src/ for changes…');
  } else {
    await esbuild.build(options);
  }
} catch {
  // esbuild has already printed the errors.
  process.exit(1);
}
