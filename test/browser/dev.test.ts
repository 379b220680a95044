// npm run dev: the page build runs in the server process; an edit rebuilds once, open pages reload
// after a good build and show the errors over the page after a bad one. Runs on a copy of src/ and
// public/ in a temp folder, so the repository is never edited.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import type { PlaygroundServer } from '../../server/app';
import { buildLine, startDevBuild, type DevBuild, type DevBuilder } from '../../server/dev';
import type { Browser } from 'puppeteer';
import { openUserPage, type UserPage } from '../helpers/browser';
import { ROOT, startTestServer } from '../helpers/server';
import { browserSuite } from '../helpers/suite';

// One dev build on one temp copy of src/ serves the whole file (its hooks start and remove it), so
// the file runs in one browser: the dev loop is server-side, the page's reload client is plain EventSource.
const test = browserSuite('npm run dev', {}, {
  notIn: { firefox: 'the dev loop (one build on one temp copy of src/ per file) is tested once, in Chromium' },
});

const root = mkdtempSync(join(tmpdir(), 'wp-dev-'));
const builds: DevBuild[] = [];
const waiting: { index: number; resolve: (b: DevBuild) => void }[] = [];
let dev: { server: PlaygroundServer; builder: DevBuilder };

/** Resolves with build number `index` (0 = the first) as soon as it ends. */
function nextBuild(index: number): Promise<DevBuild> {
  const done = builds[index];
  if (done) return Promise.resolve(done);
  return new Promise((resolve, reject) => {
    waiting.push({ index, resolve });
    setTimeout(() => reject(new Error(`build ${index} did not come within 20 s`)), 20_000).unref();
  });
}

function onBuild(build: DevBuild): void {
  builds.push(build);
  for (const w of waiting.filter((x) => x.index === builds.length - 1)) w.resolve(build);
}

/** Opens `path` of the dev server and waits until its live-reload client is connected. */
async function openDevPage(browser: Browser, path: string): Promise<UserPage> {
  const user = await openUserPage(browser, `${dev.server.url}${path}`);
  await user.page.waitForFunction(() => document.documentElement.dataset.devReload === 'connected', { timeout: 10_000 });
  return user;
}

const edit = (file: string, change: (text: string) => string) => writeFileSync(join(root, file), change(readFileSync(join(root, file), 'utf8')));

test.before(async () => {
  for (const dir of ['src', 'public']) cpSync(join(ROOT, dir), join(root, dir), { recursive: true });
  // The pages import packages (e.g. qrcode): the copy resolves them from the repository's node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  let server: PlaygroundServer | undefined;
  const builder = await startDevBuild(root, (build) => {
    onBuild(build);
    server?.announceBuild(build);
  });
  server = await startTestServer({ dev: true, staticDirs: [join(root, 'public'), join(root, 'dist')] });
  dev = { server, builder };
  await nextBuild(0);
});

test.after(async () => {
  await dev.builder.dispose();
  await dev.server.close();
  rmSync(root, { recursive: true, force: true });
});

test('the first build is reported and its pages carry the live-reload client', async () => {
  assert.equal(builds[0]?.errors, []);
  assert.match(buildLine({ ms: 41.6, errors: [] }, new Date(2026, 0, 1, 9, 5, 7)), /^09:05:07 rebuilt in 42 ms$/);
  const html = readFileSync(join(root, 'dist', 'gum.html'), 'utf8');
  assert.match(html, /<script type="module" src="\/js\/dev\.js"><\/script>/);
});

test('an edit rebuilds once and the open page reloads with it; a CSS edit reloads it too', async ({ tb }) => {
  const { page, context, errors } = await openDevPage(tb.browser, 'gum.html');
  const before = builds.length;
  edit('src/pages/gum.html', (t) => t.replace('<h1>getUserMedia playground</h1>', '<h1>getUserMedia playground, edited</h1>'));
  const build = await nextBuild(before);
  assert.equal(build.errors, []);
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'getUserMedia playground, edited', { timeout: 10_000 });
  assert.is(builds.length, before + 1, 'one build for one edit');

  const css = builds.length;
  await page.evaluate(() => { (globalThis as { marker?: number }).marker = 1; });
  edit('public/style.css', (t) => `${t}\nh1 { letter-spacing: 0.01em; }\n`);
  await nextBuild(css);
  await page.waitForFunction(() => (globalThis as { marker?: number }).marker === undefined && document.documentElement.dataset.devReload === 'connected', { timeout: 10_000 });
  assert.equal(errors, []);
  await context.close();
});

test('a build error is printed as one line and shown over the open page; fixing it reloads the page', async ({ tb }) => {
  const { page, context } = await openDevPage(tb.browser, 'gum.html');
  const before = builds.length;
  const original = readFileSync(join(root, 'src/pages/gum.ts'), 'utf8');
  edit('src/pages/gum.ts', (t) => `${t}\nconst broken: number = ;\n`);
  const failed = await nextBuild(before);
  assert.is(failed.errors.length, 1);
  assert.match(failed.errors[0] ?? '', /^src\/pages\/gum\.ts:\d+:\d+: Unexpected ";"/);
  const line = buildLine(failed);
  assert.not.match(line, /\n/, 'one line');
  assert.match(line, /build failed in \d+ ms: src\/pages\/gum\.ts:\d+:\d+: Unexpected ";"/);
  await page.waitForSelector('#dev-build-errors[role="alert"]', { timeout: 10_000 });
  assert.match(await page.$eval('#dev-build-errors', (e) => e.textContent ?? ''), /Build failed \(1 error\).*src\/pages\/gum\.ts:\d+:\d+: Unexpected ";"/s);

  // A page opened while the build is broken shows the errors at once.
  const late = await openDevPage(tb.browser, 'index.html');
  assert.match(await late.page.$eval('#dev-build-errors', (e) => e.textContent ?? ''), /src\/pages\/gum\.ts:\d+:\d+: Unexpected ";"/);
  await late.context.close();

  writeFileSync(join(root, 'src/pages/gum.ts'), original);
  await nextBuild(before + 1);
  await page.waitForFunction(() => !document.querySelector('#dev-build-errors') && document.readyState === 'complete', { timeout: 10_000 });
  await context.close();
});

test.run();
