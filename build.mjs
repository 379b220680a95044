// @ts-check
// Builds the playground into dist/ with esbuild:
//   src/pages/NAME.ts   → dist/js/NAME.js   one ESM bundle per page, shared chunks in dist/js/chunks/
//   src/pages/NAME.html → dist/NAME.html    the page's <main>, wrapped in the one layout (src/pages/_layout.html)
// Source maps always; minified with --production. Prints each page's JS size (raw and gzip).
// The dev server (`npm run dev`) imports pageBuildOptions() and runs the same build in its own process.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** The repository root (the folder of this file). */
export const ROOT = dirname(fileURLToPath(import.meta.url));

const SITE = 'webrtc-playground';

/**
 * Renders one page: the layout with `{{title}}`, `{{script}}` and `{{main}}` filled in, and the
 * page's own navigation link marked `aria-current="page"`.
 * @param {string} layout the text of src/pages/_layout.html
 * @param {string} source the page file: an optional first line `<title>…</title>`, then its `<main>` element
 * @param {string} name the page name (`gum` for src/pages/gum.html)
 * @param {boolean} hasScript whether src/pages/NAME.ts exists (then /js/NAME.js is loaded)
 * @returns {string} the whole HTML document
 * @throws {Error} when the page has no `<main>` or is missing from the layout's navigation
 */
export function renderPage(layout, source, name, hasScript) {
  const titleMatch = /^\s*<title>([^<]*)<\/title>[ \t]*\n/.exec(source);
  const main = (titleMatch ? source.slice(titleMatch[0].length) : source).trimEnd();
  if (!/<main[\s>]/.test(main)) throw new Error(`src/pages/${name}.html has no <main> element`);
  let html = layout;
  if (name !== 'index') {
    const link = `<a href="/${name}.html">`;
    if (!html.includes(link)) {
      throw new Error(`src/pages/${name}.html is not in the navigation: add ${link}…</a> to the <nav> of src/pages/_layout.html`);
    }
    html = html.replace(link, () => `<a href="/${name}.html" aria-current="page">`);
  }
  const values = {
    title: titleMatch ? `${titleMatch[1]} · ${SITE}` : SITE,
    script: hasScript ? `<script type="module" src="/js/${name}.js"></script>` : '',
    main,
  };
  for (const [key, value] of Object.entries(values)) {
    const slot = new RegExp(`^([ \\t]*)([^\\n]*?)\\{\\{${key}\\}\\}`, 'm');
    if (!slot.test(html)) throw new Error(`src/pages/_layout.html has no {{${key}}}`);
    // A slot alone on its line disappears with its line when empty.
    html = value === '' ? html.replace(new RegExp(`^[ \\t]*\\{\\{${key}\\}\\}\\n`, 'm'), '') : html.replace(slot, (_, indent, before) => `${indent}${before}${value}`);
  }
  return html;
}

/**
 * esbuild plugin: HTML entry points are rendered with {@link renderPage} and written as they are
 * (`copy` loader). The layout is a watched file of every page, so editing it rebuilds them all.
 * @param {string} pagesDir the folder of the pages and of `_layout.html`
 * @returns {esbuild.Plugin}
 */
function pageTemplate(pagesDir) {
  const layoutPath = join(pagesDir, '_layout.html');
  return {
    name: 'page-template',
    setup(build) {
      build.onLoad({ filter: /\.html$/ }, async (args) => {
        const name = basename(args.path, '.html');
        try {
          const [layout, source] = await Promise.all([readFile(layoutPath, 'utf8'), readFile(args.path, 'utf8')]);
          const contents = renderPage(layout, source, name, existsSync(join(pagesDir, `${name}.ts`)));
          return { contents, loader: 'copy', watchFiles: [layoutPath] };
        } catch (err) {
          return { errors: [{ text: err instanceof Error ? err.message : String(err) }], watchFiles: [layoutPath] };
        }
      });
    },
  };
}

/**
 * Prints each page's JS size (its entry plus every chunk it imports, raw and gzip) after a build.
 * @param {string} root
 * @param {boolean} production
 * @returns {esbuild.Plugin}
 */
function sizeReport(root, production) {
  return {
    name: 'size-report',
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length > 0 || !result.metafile) return;
        const outputs = result.metafile.outputs;
        const rows = [];
        for (const [file, out] of Object.entries(outputs)) {
          if (!out.entryPoint || !file.endsWith('.js')) continue;
          const seen = new Set();
          /** @param {string} f */
          const visit = (f) => {
            if (seen.has(f)) return;
            seen.add(f);
            for (const imp of outputs[f]?.imports ?? []) if (imp.kind === 'import-statement') visit(imp.path);
          };
          visit(file);
          let raw = 0;
          let gz = 0;
          for (const f of seen) {
            const buf = readFileSync(join(process.cwd(), f));
            raw += buf.length;
            gz += gzipSync(buf).length;
          }
          rows.push({ name: basename(file, '.js'), raw, gz });
        }
        rows.sort((a, b) => a.name.localeCompare(b.name));
        /** @param {number} n */
        const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
        console.log(`built ${rows.length} pages${production ? ' (production)' : ''} into ${relative(process.cwd(), join(root, 'dist'))}/`);
        for (const row of rows) console.log(`  ${row.name.padEnd(12)} ${kb(row.raw)} raw ${kb(row.gz)} gzip`);
      });
    },
  };
}

/**
 * The esbuild options of the pages: every `src/pages/NAME.ts` and `src/pages/NAME.html` of `root`.
 * @param {{ root?: string, production?: boolean, dev?: boolean, report?: boolean, plugins?: esbuild.Plugin[] }} [options]
 *   `dev` defines `__DEV__` (live reload in the pages); `report` prints the sizes after each build.
 * @returns {esbuild.BuildOptions}
 */
export function pageBuildOptions({ root = ROOT, production = false, dev = false, report = false, plugins = [] } = {}) {
  const pagesDir = join(root, 'src', 'pages');
  const files = readdirSync(pagesDir).sort();
  const entryPoints = [
    ...files.filter((f) => f.endsWith('.ts')).map((f) => ({ in: join(pagesDir, f), out: `js/${basename(f, '.ts')}` })),
    ...files.filter((f) => f.endsWith('.html') && !f.startsWith('_')).map((f) => ({ in: join(pagesDir, f), out: basename(f, '.html') })),
  ];
  return {
    entryPoints,
    outdir: join(root, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    sourcemap: true,
    minify: production,
    metafile: true,
    chunkNames: 'js/chunks/[name]-[hash]',
    loader: { '.html': 'copy' },
    define: { __DEV__: dev ? 'true' : 'false' },
    logLevel: 'warning',
    plugins: [pageTemplate(pagesDir), ...(report ? [sizeReport(root, production)] : []), ...plugins],
  };
}

/** `node build.mjs [--production] [--watch]`: a clean build of the pages into dist/. */
async function main() {
  const args = new Set(process.argv.slice(2));
  const production = args.has('--production');
  const watch = args.has('--watch');
  const dist = join(ROOT, 'dist');
  const stale = existsSync(dist) ? readdirSync(dist).filter((f) => f === 'js' || f.endsWith('.html')) : [];
  for (const f of stale) rmSync(join(dist, f), { recursive: true, force: true });
  try {
    const options = pageBuildOptions({ production, dev: watch, report: true });
    if (watch) {
      await (await esbuild.context(options)).watch();
      console.log('watching src/ for changes…');
    } else {
      await esbuild.build(options);
    }
  } catch {
    // esbuild has already printed the errors.
    process.exit(1);
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
