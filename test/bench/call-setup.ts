/**
 * `npm run bench` (part 3): call setup time in headless Chromium with fake devices and an empty
 * `iceServers`, side by side in one run, N rounds, each round one call of each kind in a rotating
 * order (a busy neighbour on the machine hits all kinds alike):
 *
 * - bound:    two RTCPeerConnections in one page, no server (the lower bound);
 * - call:     the call page in two browser contexts, through the signaling server;
 * - loopback: the loopback page (both peers in one page over the in-page relay);
 * - cross:    the call page through the signaling server, Firefox (callee, joins first) ↔ Chromium
 *             (caller); measured against Chromium's bound;
 * - bare:     the floor through the signaling server: two bare pages in two browser contexts, each
 *             one side of the call with no UI (`runBareSide`); the call page's ratio to it is the
 *             page's own overhead, the rest is two renderer processes and the signaling hop.
 * - bare-remote: the same with the remote video at the call page's size;
 * - bare-video: and the local preview (the self-view) as well, as the call page shows them: what
 *             drawing them costs any call page on this machine (against bare-remote: the self-view's cost).
 *
 * Each call is timed from the first offer (`createOffer`, or `setLocalDescription` in `stable`) to
 * both connections `connected`, and to the first remote video frame on both sides
 * (`requestVideoFrameCallback`); long tasks (≥ 50 ms) from the first offer to the last first frame
 * are counted in every page of the call. Every call runs in fresh pages (a cold call, as a user's).
 * Medians and the ratios to the bound are printed next to the goals of issue 15, then the pages'
 * responsiveness: event timing of the clicks that started the calls, and the long animation
 * frames (≥ 50 ms) during setup with the scripts that ran in them.
 *
 * Options: --calls N (10) --only bound,call,loopback,cross --trace FILE (also records one call-page
 * call as a Chrome DevTools performance trace of both pages, to open in the Performance panel; and one
 * loopback call to FILE with `-loopback` before its extension) --timeline (prints, per kind, the
 * median time from the first offer of each step of each connection, and of each signaling message
 * leaving a page, reaching the server, leaving it and reaching the other page: where the time goes)
 * --before DIR (also runs each page kind from another production build, e.g. main's dist/ copied
 * to DIR, served by a second server: before/after of a change measured side by side; files of
 * public/ copied into DIR, such as style.css, are served from there too).
 * Serves dist/ as it is: `npm run bench` makes the production build first.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'puppeteer';
import type { PlaygroundServer } from '../../server/app';
import { launchBrowser } from '../helpers/browser';
import { ROOT, startTestServer } from '../helpers/server';
import { runBareSide } from './bare-call';
import { installCallProbe, runBoundCall, type ProbeRecord } from './call-probe';
import { clearServerEvents, median, printTimeline, steps, watchServerSockets } from './call-timeline';

type Kind = 'bound' | 'bare' | 'bare-remote' | 'bare-video' | 'call' | 'loopback' | 'cross' | 'call-before' | 'loopback-before' | 'cross-before';
const KINDS: readonly Kind[] = ['bound', 'bare', 'bare-remote', 'bare-video', 'call', 'loopback', 'cross'];
/** The floors: no page of ours in them (no `-before` run, no long-task goal). */
const isFloor = (k: Kind): boolean => k === 'bound' || k.startsWith('bare');
const { values: opt } = parseArgs({
  options: {
    calls: { type: 'string', default: '10' },
    only: { type: 'string', default: KINDS.join(',') },
    trace: { type: 'string' },
    timeline: { type: 'boolean', default: false },
    before: { type: 'string' },
  },
});
const CALLS = Math.max(1, Number(opt.calls));
const CHOSEN = opt.only.split(',').filter((k): k is Kind => (KINDS as readonly string[]).includes(k));
/** With --before: each page kind also runs from the other build (`call-before`, `loopback-before`). */
const ONLY: Kind[] = CHOSEN.flatMap((k) => (opt.before && !isFloor(k) ? [k, `${k}-before` as Kind] : [k]));
const GOALS = { callConnected: 1.5, callFrame: 1.15, loopbackConnected: 1.2, loopbackFrame: 1.2 };
/** Longest one call may take before the round counts it as failed (ms). */
const CALL_TIMEOUT_MS = 20_000;

/** One measured call. */
interface Sample {
  /** ms from the first offer to both sides `connected`. */
  connected: number;
  /** ms from the first offer to the first remote frame on both sides. */
  frame: number;
  /** Long tasks during setup (first offer to the last first frame), over all pages of the call. */
  longTasks: number;
  /** The longest of them, ms (0: none). */
  longestTask: number;
  /** ms from the first offer of each step of each connection (`p1.pc0 setRemoteDescription done`; `#2`: its second time). */
  steps: Map<string, number>;
  /** Event timing of the clicks that started the call (Join on each call page, Start on loopback), see {@link ProbeRecord.inputs}. */
  inputs: ProbeRecord['inputs'];
  /** Long animation frames during setup, over all pages of the call (Chromium pages only). */
  frames50: ProbeRecord['frames50'];
  /** Some page of the call was hidden (a background tab) during setup. */
  hidden: boolean;
}

// tsx (esbuild keepNames) wraps named functions in `__name(…)`: give the pages a no-op one.
const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';

/**
 * Every page's remote videos are on screen, as for a user watching the call: the first frame timed
 * is one the user sees, and drawing visible video costs the page what it costs a user (an off-screen
 * video is not drawn; its `requestVideoFrameCallback` still fires, from another path). In an 800x600
 * viewport the call page's videos are below the fold and the loopback page's lower ones too; the
 * bound and bare pages pin theirs to the top. The timeline marks a first frame that was off screen.
 */
const VIEWPORT = { width: 800, height: 1400 };

async function probedPage(context: BrowserContext, url: string, options: { firefox?: boolean; marks?: boolean } = {}): Promise<Page> {
  const firefox = options.firefox ?? false;
  // Firefox opens a context's page as a tab of one window (background tabs are throttled): a window each.
  const page = await context.newPage(firefox ? { type: 'window' } : undefined);
  page.on('pageerror', (err) => console.error(`  page error in ${url}: ${String(err)}`));
  await page.evaluateOnNewDocument(NAME_SHIM);
  await page.evaluateOnNewDocument(installCallProbe, options.marks ?? false);
  await page.setViewport(VIEWPORT);
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

async function records(pages: Page[]): Promise<ProbeRecord[]> {
  return Promise.all(pages.map((p) => p.evaluate(() => (globalThis as unknown as { __callProbe: ProbeRecord }).__callProbe)));
}

/** How many `connected` and first frames each page's probe holds (a small answer: polled while the call sets up). */
async function progress(pages: Page[]): Promise<{ connected: number; frames: number }> {
  const counts = await Promise.all(pages.map((p) => p.evaluate(() => {
    const r = (globalThis as unknown as { __callProbe: ProbeRecord }).__callProbe;
    return [r.connected.length, r.frames.length];
  })));
  return { connected: counts.reduce((n, c) => n + (c[0] ?? 0), 0), frames: counts.reduce((n, c) => n + (c[1] ?? 0), 0) };
}

/** Waits until the pages' probes hold 2 `connected` and 2 first frames, then measures. */
async function measure(pages: Page[]): Promise<Sample> {
  const t = Date.now();
  for (;;) {
    // The whole records (a few hundred timeline entries) are fetched once, at the end: polling
    // them would keep this process, which also runs the signaling server, busy during the call.
    const now = await progress(pages);
    if (now.connected >= 2 && now.frames >= 2) {
      const recs = await records(pages);
      const connected = recs.flatMap((r) => r.connected);
      const frames = recs.flatMap((r) => r.frames);
      const t0 = Math.min(...recs.map((r) => r.t0).filter((x) => x > 0));
      const end = Math.max(...frames.slice(0, 2));
      const during = <T extends { start: number; duration: number }>(xs: T[]): T[] => xs.filter((x) => x.start + x.duration >= t0 && x.start <= end);
      const tasks = during(recs.flatMap((r) => r.longTasks));
      return {
        connected: Math.max(...connected.slice(0, 2)) - t0,
        frame: end - t0,
        longTasks: tasks.length,
        longestTask: Math.max(0, ...tasks.map((lt) => lt.duration)),
        steps: steps(recs, t0),
        inputs: recs.flatMap((r) => r.inputs).filter((e) => e.name === 'click'),
        frames50: during(recs.flatMap((r) => r.frames50)),
        hidden: recs.some((r) => r.hidden),
      };
    }
    if (Date.now() - t > CALL_TIMEOUT_MS) {
      throw new Error(`call not set up in ${CALL_TIMEOUT_MS} ms (connected ${now.connected}/2, frames ${now.frames}/2)`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitJoined(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#room-state')?.dataset.state === 'joined', { timeout: CALL_TIMEOUT_MS, polling: 20 });
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'webrtc', 'disabled-by-default-v8.cpu_profiler', 'v8', 'disabled-by-default-v8.compile'];

/** One call of `kind` in fresh contexts; `trace`: record the caller page's performance trace there. */
async function runCall(browsers: { chromium: Browser; firefox: Browser | null }, base: string, kind: Kind, round: number, trace?: string): Promise<Sample> {
  clearServerEvents();
  const browser = browsers.chromium;
  const contexts: BrowserContext[] = [];
  const context = async (b: Browser = browser): Promise<BrowserContext> => {
    const c = await b.createBrowserContext();
    contexts.push(c);
    return c;
  };
  try {
    if (kind === 'bound') {
      const page = await probedPage(await context(), `${base}index.html`);
      await page.evaluate(NAME_SHIM);
      await page.evaluate(runBoundCall);
      return await measure([page]);
    }
    if (kind === 'bare' || kind === 'bare-remote' || kind === 'bare-video') {
      const videos = kind !== 'bare';
      const preview = kind === 'bare-video';
      const room = `bench-${process.pid}-${kind}-${round}`;
      const url = `${base.replace(/^http/, 'ws')}ws`;
      const [callee, caller] = [await probedPage(await context(), `${base}index.html`), await probedPage(await context(), `${base}index.html`)] as const;
      for (const p of [callee, caller]) await p.evaluate(NAME_SHIM);
      await callee.evaluate(runBareSide, { url, room, caller: false, videos, preview });
      await caller.evaluate(runBareSide, { url, room, caller: true, videos, preview });
      return await measure([callee, caller]);
    }
    if (kind === 'loopback' || kind === 'loopback-before') {
      const page = await probedPage(await context(), `${base}loopback.html`, { marks: !!trace });
      if (trace) await page.tracing.start({ path: trace, screenshots: false, categories: TRACE_CATEGORIES });
      await page.click('#start');
      const sample = await measure([page]);
      if (trace) await page.tracing.stop();
      return sample;
    }
    const url = `${base}call.html?room=bench-${process.pid}-${kind}-${round}`;
    // cross: the callee is Firefox (it joins first and waits), the caller Chromium.
    const firefox = kind.startsWith('cross') ? browsers.firefox : null;
    const callee = firefox ? await probedPage(await context(firefox), url, { firefox: true }) : await probedPage(await context(), url, { marks: !!trace });
    const caller = await probedPage(await context(), url, { marks: !!trace });
    await callee.click('#join');
    await waitJoined(callee);
    if (trace) await caller.tracing.start({ path: trace, screenshots: false, categories: TRACE_CATEGORIES });
    await caller.click('#join'); // the second to join calls the first
    const sample = await measure([callee, caller]);
    if (trace) await caller.tracing.stop();
    return sample;
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch((err: unknown) => console.error('  closing a browser context failed:', err))));
  }
}

const ms = (x: number): string => `${x.toFixed(0).padStart(5)} ms`;
const ratio = (x: number): string => `${x.toFixed(2)}x`;

/**
 * Prints, per kind, the event timing of the clicks that started each call (Join on the call pages,
 * Start on loopback: input to next paint, and of it the wait for the main thread and the page's
 * handlers) and the long animation frames during setup with the scripts that filled them.
 */
function printResponsiveness(samples: Record<Kind, Sample[]>): void {
  console.log('\n  responsiveness: clicks that started the calls (event timing, median ms: input → next paint = input delay + handlers + rendering)');
  console.log('  and long animation frames ≥ 50 ms during setup (Chromium pages; all calls: count, blocking ms, the scripts with the most time in them)');
  for (const k of ONLY) {
    if (isFloor(k)) continue;
    const all = samples[k];
    const clicks = all.flatMap((x) => x.inputs);
    const f = all.flatMap((x) => x.frames50);
    const bySource = new Map<string, number>();
    for (const sc of f.flatMap((x) => x.scripts)) bySource.set(sc.source, (bySource.get(sc.source) ?? 0) + sc.duration);
    const top = [...bySource].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([src, d]) => `${src} ${d.toFixed(0)} ms`).join(', ');
    const click = clicks.length === 0 ? 'no click entry ≥ 16 ms'
      : `${clicks.length} clicks ≥ 16 ms: ${median(clicks.map((c) => c.duration)).toFixed(0)} ms (delay ${median(clicks.map((c) => c.delay)).toFixed(0)}, handlers ${median(clicks.map((c) => c.processing)).toFixed(0)}), slowest ${Math.max(...clicks.map((c) => c.duration)).toFixed(0)} ms`;
    console.log(`  ${k.padEnd(15)} ${click}; frames ≥ 50 ms: ${f.length}, blocking ${f.reduce((n, x) => n + x.blocking, 0).toFixed(0)} ms${top ? `; ${top}` : ''}`);
  }
}

async function main(): Promise<void> {
  if (opt.timeline) watchServerSockets();
  const server: PlaygroundServer = await startTestServer();
  // A real camera's 30 frames/s (the tests slow the fake camera down to save CPU): the time to the first remote frame depends on it.
  // No network events: each WebSocket frame would also travel to this process (the server's) over DevTools.
  const tb = await launchBrowser({ fps: 30, networkEnabled: false });
  const fx = ONLY.some((k) => k.startsWith('cross')) ? await launchBrowser({ browser: 'firefox', fps: 30, networkEnabled: false }) : null;
  const browsers = { chromium: tb.browser, firefox: fx?.browser ?? null };
  // DIR first: a copy of the other build's public/ files in it (style.css) is served instead of ours.
  const before = opt.before ? await startTestServer({ staticDirs: [opt.before, join(ROOT, 'public')] }) : null;
  const baseOf = (k: Kind): string => (k.endsWith('-before') && before ? before.url : server.url);
  const samples: Record<Kind, Sample[]> = { bound: [], bare: [], 'bare-remote': [], 'bare-video': [], call: [], loopback: [], cross: [], 'call-before': [], 'loopback-before': [], 'cross-before': [] };
  const failures: string[] = [];
  try {
    console.log(`call setup: ${CALLS} rounds of ${ONLY.join(', ')} (alternating, fresh pages each call; first round is a warm-up)`);
    for (let round = 0; round <= CALLS; round++) {
      const order = ONLY.map((_, i) => ONLY[(i + round) % ONLY.length] as Kind);
      const line: string[] = [];
      for (const kind of order) {
        try {
          const s = await runCall(browsers, baseOf(kind), kind, round);
          if (round > 0) samples[kind].push(s);
          line.push(`${kind} ${s.connected.toFixed(0)}/${s.frame.toFixed(0)}${s.longTasks ? ` (${s.longTasks} long)` : ''}`);
        } catch (err) {
          failures.push(`round ${round} ${kind}: ${err instanceof Error ? err.message : String(err)}`);
          line.push(`${kind} FAILED`);
        }
      }
      console.log(`  ${round === 0 ? 'warm-up' : `round ${String(round).padStart(2)}`}: ${line.join('  ')}  (ms to connected/first frame)`);
    }
    if (opt.trace && ONLY.includes('call')) {
      await runCall(browsers, server.url, 'call', CALLS + 1, opt.trace);
      console.log(`  trace of one call-page call written to ${opt.trace} (both pages: each is a renderer process of its own in it)`);
    }
    if (opt.trace && ONLY.includes('loopback')) {
      const file = opt.trace.replace(/(\.[^./]*)?$/, '-loopback$1');
      await runCall(browsers, server.url, 'loopback', CALLS + 1, file);
      console.log(`  trace of one loopback call written to ${file}`);
    }
  } finally {
    await tb.close();
    await fx?.close();
    await server.close();
    await before?.close();
  }
  const med = (k: Kind, f: 'connected' | 'frame' | 'longTasks' | 'longestTask') => median(samples[k].map((s) => s[f]));
  console.log('\n  kind        connected  first frame   long tasks ≥ 50 ms during setup (all calls; longest)');
  for (const k of ONLY) {
    const all = samples[k];
    console.log(`  ${k.padEnd(15)} ${ms(med(k, 'connected'))}   ${ms(med(k, 'frame'))}   ${all.reduce((n, s) => n + s.longTasks, 0)} in ${all.length} calls; ${Math.max(0, ...all.map((s) => s.longestTask)).toFixed(0)} ms`);
  }
  if (ONLY.includes('bound')) {
    const b = { connected: med('bound', 'connected'), frame: med('bound', 'frame') };
    /** Median over rounds of the round's ratio (the two calls of a round ran next to each other). */
    const pairRatio = (k: Kind, f: 'connected' | 'frame'): number =>
      median(samples[k].map((s, i) => s[f] / (samples.bound[i]?.[f] ?? NaN)).filter((x) => Number.isFinite(x)));
    const row = (k: Kind, f: 'connected' | 'frame', goal: number) => {
      const r = med(k, f) / b[f];
      console.log(`  ${k.padEnd(15)} ${f.padEnd(9)} ${ratio(r).padStart(6)} of the bound (round by round ${ratio(pairRatio(k, f))})  goal ≤ ${goal}x  ${r <= goal ? 'met' : 'NOT met'}`);
    };
    console.log('\n  ratios (median / median of the bound)');
    for (const k of ONLY) {
      // The floor has the call page's goals: what they leave to a page on this machine.
      if (k.startsWith('call') || k.startsWith('bare')) {
        row(k, 'connected', GOALS.callConnected);
        row(k, 'frame', GOALS.callFrame);
      }
      if (k.startsWith('loopback')) {
        row(k, 'connected', GOALS.loopbackConnected);
        row(k, 'frame', GOALS.loopbackFrame);
      }
      // Firefox's own WebRTC stack against Chromium's bound: the call page's goals, for comparison.
      if (k.startsWith('cross')) {
        row(k, 'connected', GOALS.callConnected);
        row(k, 'frame', GOALS.callFrame);
      }
    }
  }
  for (const base of (['bare', 'bare-video'] as const).filter((k) => ONLY.includes(k))) {
    const floor = (k: Kind, f: 'connected' | 'frame'): string => ratio(med(k, f) / med(base, f));
    console.log(base === 'bare'
      ? '\n  the call pages against the floor (two bare pages through the same server): their own overhead'
      : '\n  the call pages against the floor that draws the same videos (bare-video: local preview and remote video at the call page\'s size)');
    for (const k of ONLY.filter((x) => x.startsWith('call'))) console.log(`  ${k.padEnd(15)} connected ${floor(k, 'connected')}, first frame ${floor(k, 'frame')} of ${base}`);
  }
  if (ONLY.includes('bare-remote') && ONLY.includes('bare-video')) {
    const self = (f: 'connected' | 'frame'): string => ratio(med('bare-video', f) / med('bare-remote', f));
    console.log(`\n  the self-view's cost (bare-video against bare-remote: the same pages with and without the local preview)\n  connected ${self('connected')}, first frame ${self('frame')}`);
  }
  printResponsiveness(samples);
  if (opt.timeline) for (const k of ONLY) printTimeline(k, samples[k]);
  const longTasks = ONLY.filter((k) => !isFloor(k)).reduce((n, k) => n + samples[k].reduce((m, s) => m + s.longTasks, 0), 0);
  console.log(`  long tasks ≥ 50 ms during setup on the pages: ${longTasks}  goal 0  ${longTasks === 0 ? 'met' : 'NOT met'}${ONLY.some((k) => k.startsWith('cross')) ? ' (Firefox reports none: its pages are not counted)' : ''}`);
  const hidden = ONLY.filter((k) => samples[k].some((x) => x.hidden));
  if (hidden.length > 0) console.log(`  a page was hidden (a background tab, slowed by the browser) in some calls of: ${hidden.join(', ')}`);
  if (failures.length > 0) {
    console.log(`\n  ${failures.length} calls failed:\n    ${failures.join('\n    ')}`);
    process.exitCode = 1;
  }
}

await main();
