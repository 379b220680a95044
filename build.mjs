// @ts-check
// Builds the playground into dist/ with esbuild:
//   src/pages/NAME.ts   → dist/js/NAME.js   one ESM bundle per page, shared chunks in dist/js/chunks/
//   src/pages/NAME.html → dist/NAME.html    the page's <main>, wrapped in the one layout (src/pages/_layout.html),
//                                           rendered at the start of each build (plugin pageTemplate)
//   server/main.ts      → dist/server.js    the server, run by plain `node` (npm start)
// Source maps always; minified with --production. Prints each page's initial JS (gzip, minified)
// against INITIAL_JS_BUDGET, and what it loads later with dynamic import().
// `node build.mjs --server-only` builds only dist/server.js (npm run dev: the server then builds the
// pages itself, with pageBuildOptions({ dev: true }) in an esbuild context, and reloads the pages).
// `node build.mjs --start [server options]` is `npm start`: it checks the port before anything is built
// (a busy port is one line, and nothing is rebuilt under the server already running there), then builds
// dist/server.js and runs it with `--build` (the server builds the pages once it knows the port is free).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { sourceTextPlugin } from './src/build/source-text.mjs';
import { nextFreePort, portInUse, portInUseMessage } from './server/port-check.mjs';
import { serverAllocator } from './server/allocator.mjs';

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
 * @param {boolean} [dev] development build: also load /js/dev.js (live reload, build error overlay)
 * @returns {string} the whole HTML document
 * @throws {Error} when the page has no `<main>` or is missing from the layout's navigation
 */
export function renderPage(layout, source, name, hasScript, dev = false) {
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
    script: [...(hasScript ? [name] : []), ...(dev ? ['dev'] : [])].map((js) => `<script type="module" src="/js/${js}.js"></script>`).join('\n  '),
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
 * esbuild plugin: at the start of every build, renders each src/pages/NAME.html with
 * {@link renderPage} into dist/NAME.html (a page that cannot be rendered is a build error, and its
 * last good file stays). The page scripts are loaded with the HTML files, the layout and public/
 * as watched files, so in watch mode editing any of them (style.css too: the pages link it)
 * rebuilds and reloads the pages.
 * @param {string} root
 * @param {boolean} dev
 * @returns {esbuild.Plugin}
 */
function pageTemplate(root, dev) {
  const pagesDir = join(root, 'src', 'pages');
  const layoutPath = join(pagesDir, '_layout.html');
  const publicDir = join(root, 'public');
  const outdir = join(root, 'dist');
  const pageFiles = () => readdirSync(pagesDir).filter((f) => f.endsWith('.html')).sort();
  return {
    name: 'page-template',
    setup(build) {
      build.onStart(async () => {
        /** @type {esbuild.PartialMessage[]} */
        const errors = [];
        const layout = await readFile(layoutPath, 'utf8');
        await mkdir(outdir, { recursive: true });
        for (const file of pageFiles().filter((f) => !f.startsWith('_'))) {
          const name = basename(file, '.html');
          try {
            const html = renderPage(layout, await readFile(join(pagesDir, file), 'utf8'), name, existsSync(join(pagesDir, `${name}.ts`)), dev);
            await writeFile(join(outdir, file), html);
          } catch (err) {
            errors.push({ text: err instanceof Error ? err.message : String(err), location: { file: relative(process.cwd(), join(pagesDir, file)) } });
          }
        }
        return { errors };
      });
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (dirname(args.path) !== pagesDir) return undefined;
        // watchDirs sees files come and go; watchFiles sees each one change.
        const watchFiles = [...pageFiles().map((f) => join(pagesDir, f)), ...readdirSync(publicDir, { recursive: true, encoding: 'utf8' }).map((f) => join(publicDir, f))];
        return { contents: await readFile(args.path, 'utf8'), loader: 'ts', watchFiles, watchDirs: [pagesDir, publicDir] };
      });
    },
  };
}

/**
 * Most JS a page may load before the user opens anything (its entry plus every chunk that entry
 * imports statically), in gzip bytes of the minified build that `npm start` serves. Parts opened
 * later (inspector, step mode, QR code, …) load with a dynamic `import()` and do not count.
 * test/unit/page-size.test.ts fails when a page is over it.
 */
export const INITIAL_JS_BUDGET = 15 * 1024;

/**
 * @typedef {{ name: string, initialRaw: number, initialGzip: number, laterRaw: number, laterGzip: number }} PageSize
 *   bytes of one page's JS: `initial*` its entry and its static imports (loaded with the page),
 *   `later*` what its dynamic imports may add (loaded when opened); raw and gzip (zlib's default level)
 */

/**
 * Each page's JS sizes from an esbuild metafile: the entry of every `src/pages/NAME.ts` plus the
 * chunks it reaches through static imports (initial), and what dynamic imports reach beyond that
 * (later). Each file is gzipped on its own, as the browser downloads it.
 * @param {esbuild.Metafile} metafile
 * @param {(outputPath: string) => Uint8Array} read the bytes of an output (path as in the metafile)
 * @returns {PageSize[]} sorted by page name
 */
export function pageSizes(metafile, read) {
  const outputs = metafile.outputs;
  /**
   * @param {string[]} from
   * @param {(kind: string) => boolean} follow
   */
  const closure = (from, follow) => {
    const seen = new Set();
    const visit = (/** @type {string} */ f) => {
      if (seen.has(f) || !outputs[f]) return;
      seen.add(f);
      for (const imp of outputs[f].imports) if (follow(imp.kind)) visit(imp.path);
    };
    from.forEach(visit);
    return seen;
  };
  /** @param {Iterable<string>} files */
  const bytes = (files) => {
    let raw = 0;
    let gz = 0;
    for (const f of files) {
      const buf = read(f);
      raw += buf.length;
      gz += gzipSync(buf).length;
    }
    return { raw, gz };
  };
  const rows = [];
  for (const [file, out] of Object.entries(outputs)) {
    if (!out.entryPoint || !file.endsWith('.js') || !/(^|\/)src\/pages\/[^/]+\.ts$/.test(out.entryPoint)) continue;
    const initial = closure([file], (kind) => kind === 'import-statement');
    const all = closure([file], (kind) => kind === 'import-statement' || kind === 'dynamic-import');
    const first = bytes(initial);
    const later = bytes([...all].filter((f) => !initial.has(f)));
    rows.push({ name: basename(file, '.js'), initialRaw: first.raw, initialGzip: first.gz, laterRaw: later.raw, laterGzip: later.gz });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Builds the pages of `root` minified, in memory (nothing is written), and measures them with
 * {@link pageSizes}: what `npm start` serves.
 * @param {string} [root]
 * @returns {Promise<PageSize[]>}
 * @throws esbuild's build failure
 */
export async function measurePages(root = ROOT) {
  const options = pageBuildOptions({ root, production: true });
  const result = await esbuild.build({
    ...options,
    write: false,
    // The page template writes dist/*.html: not for a measurement.
    plugins: (options.plugins ?? []).filter((p) => p.name !== 'page-template'),
  });
  if (!result.metafile) throw new Error('esbuild gave no metafile');
  const files = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  const cwd = options.absWorkingDir ?? process.cwd();
  return pageSizes(result.metafile, (f) => files.get(resolve(cwd, f)) ?? new Uint8Array());
}

/**
 * Prints each page's JS after a build: initial (entry plus static imports) against
 * {@link INITIAL_JS_BUDGET}, and what loads later (dynamic imports), in gzip. The figures are
 * always those of the minified build (`npm start`): a development build measures it in memory.
 * @param {string} root
 * @param {boolean} production
 * @returns {esbuild.Plugin}
 */
function sizeReport(root, production) {
  return {
    name: 'size-report',
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length > 0 || !result.metafile) return;
        const metafile = result.metafile;
        const rows = production ? pageSizes(metafile, (f) => readFileSync(join(process.cwd(), f))) : await measurePages(root);
        /** @param {number} n */
        const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(9);
        console.log(`built ${rows.length} pages${production ? ' (production)' : ''} into ${relative(process.cwd(), join(root, 'dist'))}/`);
        console.log(`  JS per page, minified as npm start serves it (gzip): initial (budget ${kb(INITIAL_JS_BUDGET).trim()}), later (loaded when opened)`);
        for (const row of rows) {
          const over = row.initialGzip > INITIAL_JS_BUDGET ? `  OVER the ${kb(INITIAL_JS_BUDGET).trim()} budget` : '';
          console.log(`  ${row.name.padEnd(10)} initial ${kb(row.initialGzip)}   later ${kb(row.laterGzip)}${over}`);
        }
      });
    },
  };
}

/**
 * The esbuild options of the pages: every `src/pages/NAME.ts` and `src/pages/NAME.html` of `root`.
 * @param {{ root?: string, production?: boolean, dev?: boolean, report?: boolean, plugins?: esbuild.Plugin[] }} [options]
 *   `dev` adds the live-reload client (src/dev/live-reload.ts) to every page; `report` prints the sizes after each build.
 * @returns {esbuild.BuildOptions}
 */
export function pageBuildOptions({ root = ROOT, production = false, dev = false, report = false, plugins = [] } = {}) {
  const pagesDir = join(root, 'src', 'pages');
  const files = readdirSync(pagesDir).sort();
  const entryPoints = [
    ...files.filter((f) => f.endsWith('.ts')).map((f) => ({ in: join(pagesDir, f), out: `js/${basename(f, '.ts')}` })),
    ...(dev ? [{ in: join(root, 'src', 'dev', 'live-reload.ts'), out: 'js/dev' }] : []),
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
    // V8's explicit compile hint (Chrome 136+; other engines ignore the comment): every function of
    // every chunk is compiled when the chunk loads, off the main thread while it streams, instead of
    // on its first call. Without it the callee compiled the call's code when the offer came, 3–5 ms
    // (10 ms in a trace) on the main thread before setRemoteDescription could start; a page loads its
    // chunks when it uses them (the call code in idle time after load or at Join), so most of each
    // chunk runs soon after. https://v8.dev/blog/explicit-compile-hints
    banner: { js: '//# allFunctionsCalledOnLoad' },
    logLevel: 'warning',
    // `import X from './file.ts?source'`: the text of its `// @show`-marked functions (src/build/source-text.mjs).
    plugins: [pageTemplate(root, dev), sourceTextPlugin(), ...(report ? [sizeReport(root, production)] : []), ...plugins],
  };
}

/**
 * The esbuild options of the server: server/main.ts and what it imports from server/ and src/,
 * bundled into dist/server.js for plain `node`. Packages stay imports (`packages: 'external'`):
 * they are installed runtime dependencies anyway, and bundling would break what they load at run
 * time (ws's optional bufferutil/utf-8-validate native add-ons, esbuild's platform binary).
 * build.mjs stays a file of its own: the dev server imports it at run time.
 * @param {{ root?: string, production?: boolean }} [options]
 * @returns {esbuild.BuildOptions}
 */
export function serverBuildOptions({ root = ROOT, production = false } = {}) {
  return {
    entryPoints: [join(root, 'server', 'main.ts')],
    outfile: join(root, 'dist', 'server.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
    plugins: [
      {
        name: 'build-mjs-external',
        setup(build) {
          // '../build.mjs' from server/ and from dist/ is the same file: keep the import as it is.
          build.onResolve({ filter: /(^|\/)build\.mjs$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  };
}

/**
 * `npm start` (`node build.mjs --start [server options]`): when the server's port (`--port`, `$PORT`,
 * default 8443) is taken, prints one line with a free port to use instead and exits 1 before anything
 * is built; otherwise builds dist/server.js and runs it with `--build` and the same options, passing on
 * its exit code, with the memory allocator of server/allocator.mjs (jemalloc when installed). Ctrl+C
 * reaches the server from the terminal; SIGTERM and SIGHUP are passed on.
 * @param {string[]} serverArgs the options after `--start`, for dist/server.js
 * @returns {Promise<never>}
 */
async function start(serverArgs) {
  const { values } = parseArgs({ args: serverArgs, strict: false, options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } } });
  const portText = typeof values.port === 'string' ? values.port : process.env.PORT;
  const port = portText === undefined || portText === '' ? 8443 : Number(portText);
  const host = typeof values.host === 'string' ? values.host : process.env.HOST || undefined;
  // A malformed port is left to the server, which explains it with its usage text.
  if (!values.help && Number.isInteger(port) && port >= 0 && port <= 65535 && (await portInUse(port, host))) {
    console.error(`error: ${portInUseMessage(port, await nextFreePort(port, host))}`);
    process.exit(1);
  }
  try {
    await esbuild.build(serverBuildOptions({ production: false }));
  } catch (err) {
    if (!(err instanceof Error && 'errors' in err)) console.error(err);
    process.exit(1);
  }
  await esbuild.stop();
  // The allocator is chosen before the server process starts (server/allocator.mjs); variables already set win.
  const env = { ...serverAllocator().env, ...process.env };
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'server.js'), '--build', ...serverArgs], { stdio: 'inherit', env });
  process.on('SIGINT', () => undefined); // the terminal sends it to the server too: wait for it to close
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGHUP'])) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exit(code);
}

/** `node build.mjs [--production] [--server-only]`: a clean build of dist/. `--start`: see {@link start}. */
async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--start') await start(argv.slice(1));
  const args = new Set(argv);
  const unknown = [...args].filter((a) => a !== '--production' && a !== '--server-only');
  if (unknown.length > 0) {
    console.error(`build.mjs: unknown option ${unknown.join(' ')} (options: --production, --server-only; or --start [server options])`);
    process.exit(2);
  }
  const production = args.has('--production');
  const dist = join(ROOT, 'dist');
  try {
    await esbuild.build(serverBuildOptions({ production }));
    if (args.has('--server-only')) return;
    const stale = existsSync(dist) ? readdirSync(dist).filter((f) => f === 'js' || f.endsWith('.html')) : [];
    for (const f of stale) rmSync(join(dist, f), { recursive: true, force: true });
    await esbuild.build(pageBuildOptions({ production, report: true }));
  } catch (err) {
    // esbuild has already printed its errors; anything else is ours.
    if (!(err instanceof Error && 'errors' in err)) console.error(err);
    process.exit(1);
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
