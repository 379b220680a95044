/**
 * TURN with a real coturn (started by the harness on a free loopback port with a shared secret):
 * a relay-only call with credentials from /api/turn, a wrong secret explained as 401, relay only
 * without a TURN server explained, and (ice.html) the ICE tester's candidates and error rows.
 */
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import type { PlaygroundServer } from '../../server/app';
import { launchBrowser, openUserPage, textOf, waitForState } from '../helpers/browser';
import { freeStunPort } from '../../server/coturn';
import { makeTurnCredentials } from '../../server/turn';
import { startTestCoturn, type TestCoturn } from '../helpers/coturn';
import { must } from '../helpers/must';
import { startTestServer } from '../helpers/server';
import { browserSuite } from '../helpers/suite';

// `server` (from browserSuite) is replaced by one that hands out credentials for this file's coturn.
type Extra = { coturn: TestCoturn; wrong: PlaygroundServer; plain: PlaygroundServer };
// Firefox contacts a STUN/TURN server only from an interface of the same kind (loopback or not), and
// gathers on the loopback interface only with this pref: without it our coturn on 127.0.0.1 is never
// asked. Not in every launch: loopback candidates in every Firefox call made Chromium ↔ Firefox calls
// stall in "connecting" 3 times in 9 (call-cross.test.ts, loaded machine).
const firefoxPrefs = { 'media.peerconnection.ice.loopback': true };
const test = browserSuite<Extra>('TURN (coturn)', { firefoxPrefs });

test.before(async (ctx) => {
  ctx.coturn = await startTestCoturn();
  const endpoint = { kind: 'external' as const, urls: [ctx.coturn.udpUrl] };
  const suiteServer = ctx.server;
  [ctx.server, ctx.wrong, ctx.plain] = await Promise.all([
    startTestServer({ turn: () => ({ secret: ctx.coturn.secret, endpoint, ttl: 600 }) }),
    startTestServer({ turn: () => ({ secret: 'not-the-secret-coturn-has', endpoint, ttl: 600 }) }),
    startTestServer(),
    suiteServer.close(),
  ]);
});
test.after(async (ctx) => {
  await Promise.all([ctx.wrong?.close(), ctx.plain?.close()]);
  await ctx.coturn?.stop();
});

type Dbg = { playground?: { call?: { peer?: { pc: RTCPeerConnection } | null } } };

/** The selected candidate pair's types, read from getStats on the page's call. */
function selectedTypes(page: Page): Promise<{ local: string; remote: string } | null> {
  return page.evaluate(async () => {
    const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
    if (!pc) return null;
    const stats = new Map<string, Record<string, unknown>>();
    (await pc.getStats()).forEach((r: Record<string, unknown>) => stats.set(String(r.id), r));
    // Chromium names the pair in its transport stats; Firefox has no transport stats, only a
    // nominated, succeeded pair.
    const all = [...stats.values()];
    const named = all.find((r) => r.type === 'transport' && typeof r.selectedCandidatePairId === 'string');
    const pair = named
      ? stats.get(String(named.selectedCandidatePairId))
      : all.find((r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded');
    if (!pair) return null;
    const local = stats.get(String(pair.localCandidateId));
    const remote = stats.get(String(pair.remoteCandidateId));
    return { local: String(local?.candidateType), remote: String(remote?.candidateType) };
  });
}

/** Waits until the page's call has decoded more than `n` more video frames. */
async function framesGrow(page: Page, n: number): Promise<void> {
  await page.bringToFront();
  const count = () =>
    page.evaluate(async () => {
      const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
      let frames = 0;
      if (pc) (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
      });
      return frames;
    });
  const first = await count();
  await page.waitForFunction(
    async (f0: number, more: number) => {
      const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
      let frames = 0;
      if (pc) (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
      });
      return frames > f0 + more;
    },
    { timeout: 10_000, polling: 200 },
    first,
    n,
  );
}

test('relay-only call with credentials from /api/turn: relay selected pair on both sides, frames decoded both ways', async ({ server, coturn, tb }) => {
  const url = `${server.url}call.html?room=turn-relay&policy=relay`;
  const a = await openUserPage(tb.browser, url);
  const b = await openUserPage(tb.browser, url);
  for (const { page } of [a, b]) {
    await waitForState(page, '#turn-status', 'ready');
    assert.ok(await page.$eval('#relay-only', (e) => (e as HTMLInputElement).checked), 'relay only ticked by ?policy=relay');
    const box = await page.$eval('#ice-servers', (e) => (e as HTMLTextAreaElement).value);
    assert.ok(box.startsWith(`${coturn.udpUrl} `), `ICE servers box filled: ${box}`);
    assert.not.ok((await page.content()).includes(coturn.secret), 'the shared secret never reaches the page');
  }
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  assert.match(await textOf(a.page, '#room-link'), /policy=relay/);
  await b.page.click('#join');
  await waitForState(a.page, '#call-state', 'connected');
  await waitForState(b.page, '#call-state', 'connected');
  // Firefox can know the other side's relay address first from its connectivity check (before its
  // candidate arrives): that remote candidate is then peer-reflexive, the same relay address.
  const remote = tb.name === 'firefox' ? '(relay|prflx)' : 'relay';
  for (const { page } of [a, b]) {
    const selected = must(await selectedTypes(page), 'a selected candidate pair');
    assert.is(selected.local, 'relay');
    assert.match(selected.remote, new RegExp(`^${remote}$`));
    // The page says it too: the inspector's selected-pair line (stats sampled every second).
    await page.waitForSelector(`#inspector .selected-pair p[data-local-type="relay"][data-remote-type="${selected.remote}"]`, { timeout: 5000 });
    assert.match(await textOf(page, '#inspector .selected-pair'), new RegExp(`relay ⇄ ${remote}: media goes through a TURN server`));
    const types = await page.$$eval('#inspector tr[data-origin="local"]', (rows) => rows.map((r) => (r as HTMLElement).dataset.type));
    assert.ok(types.length > 0 && types.every((t) => t === 'relay'), `only relay local candidates: ${types.join(',')}`);
  }
  await framesGrow(a.page, 5);
  await framesGrow(b.page, 5);
  for (const { page } of [a, b]) assert.is(await page.$eval('#problem', (e) => (e as HTMLElement).hidden), true, 'no problem shown');
  assert.equal([...a.errors, ...b.errors], []);
  assert.not.ok(coturn.readLog().includes(coturn.secret), 'the secret is not in coturn\'s log');
  await a.context.close();
  await b.context.close();
});

test('wrong shared secret: the page explains a 401 from the TURN server within 10 s', async ({ wrong, tb }) => {
  const url = `${wrong.url}call.html?room=turn-401&policy=relay`;
  const a = await openUserPage(tb.browser, url);
  const b = await openUserPage(tb.browser, url);
  for (const { page } of [a, b]) await waitForState(page, '#turn-status', 'ready');
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await b.page.click('#join');
  for (const { page } of [a, b]) {
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'IceCandidateError', { timeout: 10_000, polling: 100 });
    const text = await textOf(page, '#problem');
    assert.match(text, /rejected the username\/password \(401 Unauthorized\)/);
    // The URL as the browser reports it (Firefox drops the ?transport= part).
    assert.match(text, /turn:127\.0\.0\.1:\d+(\?transport=udp)?/);
    assert.not.match(text, /no network path/);
  }
  // Chromium's call sits in "new" for ever: the ICE watchdog restarts ICE once (impolite side), then
  // explains it for good. Firefox's ICE goes to "failed" instead, explained as such. Both name the
  // 401, neither says "no network path".
  const final = tb.name === 'firefox' ? 'IceFailed' : 'IceStuck';
  const stuck = await Promise.any([a, b].map(async ({ page }) => {
    await page.waitForFunction((e: string) => document.querySelector<HTMLElement>('#problem')?.dataset.error === e, { timeout: 45_000, polling: 200 }, final);
    return textOf(page, '#problem');
  }));
  assert.match(stuck, tb.name === 'firefox' ? /rejected our credentials \(401\)/ : /answered error 401/);
  assert.not.match(stuck, /no network path/);
  await a.context.close();
  await b.context.close();
});

test('relay only without a TURN server is explained before joining; a bad ?policy= is refused', async ({ plain, tb }) => {
  const { page, context } = await openUserPage(tb.browser, `${plain.url}call.html?room=turn-none&policy=relay`);
  await waitForState(page, '#turn-status', 'off');
  await page.click('#join');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'RelayWithoutTurn', { timeout: 5000 });
  assert.match(await textOf(page, '#problem'), /Relay only is on, but no TURN server/);
  assert.is(await page.$eval('#room-state', (e) => (e as HTMLElement).dataset.state), 'idle', 'did not join');
  await page.goto(`${plain.url}call.html?room=turn-none&policy=everything`);
  assert.is(await page.$eval('#relay-only', (e) => (e as HTMLInputElement).checked), false);
  assert.match(await textOf(page, '#room-hint'), /policy "everything" is not valid/);
  await context.close();
});

/** Gathers on the ICE tester page and waits until gathering ends. */
async function gatherOn(page: Page, servers: string, policy: 'all' | 'relay' = 'all'): Promise<string> {
  await page.$eval('#servers', (e, v) => { (e as HTMLTextAreaElement).value = v; }, servers);
  await page.select('#policy', policy);
  await page.click('#gather');
  return waitForState(page, '#gather-state', ['complete', 'timeout', 'stopped'], 40_000);
}

test('ICE tester: host and relay candidates from our coturn, with URL and decoded priority', async ({ server, coturn, tb }) => {
  const { page, context, errors } = await openUserPage(tb.browser, `${server.url}ice.html`);
  await waitForState(page, '#turn-status', 'ready');
  const prefilled = await page.$eval('#servers', (e) => (e as HTMLTextAreaElement).value);
  assert.ok(prefilled.startsWith(`${coturn.udpUrl} `), `our TURN server is prefilled: ${prefilled}`);
  assert.is(await gatherOn(page, prefilled), 'complete');
  const rows = await page.$$eval('#candidates tbody tr', (trs) => trs.map((tr) => ({
    type: (tr as HTMLElement).dataset.type,
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
  })));
  const host = rows.filter((r) => r.type === 'host');
  const relay = rows.filter((r) => r.type === 'relay');
  assert.ok(host.length > 0, 'host candidates listed');
  assert.ok(relay.length > 0, `relay candidates listed: ${JSON.stringify(rows)}`);
  // Component 1 (RTP): Firefox lists both components, sometimes component 2's relay first.
  const r = must(relay.find((x) => x.cells[1] === '1 (RTP)'), 'a relay row for component 1').cells;
  const h0 = must(host.find((x) => x.cells[1] === '1 (RTP)'), 'a host row for component 1').cells;
  assert.is(r[5], '127.0.0.1', 'relay address on our coturn');
  const port = Number(r[6]);
  assert.ok(port >= coturn.minPort && port <= coturn.maxPort, `relay port ${port} in coturn's range ${coturn.minPort}-${coturn.maxPort}`);
  // Priority decoded into type preference | local preference | component: relay ranks below host.
  const prio = (cells: string[]) => (cells[7] ?? '').split(' | ').map(Number);
  const [relayType = NaN, , relayComponent] = prio(r);
  assert.is(relayComponent, 1, `component of ${r[7]}`);
  assert.ok(relayType < (prio(h0)[0] ?? NaN), `relay type preference ${relayType} below host's ${h0[7]}`);
  if (tb.name === 'firefox') assert.is(r[9], 'not reported by this browser', 'Firefox gives no server URL: the page says so');
  else assert.match(r[9] ?? '', new RegExp(`^turn:127\\.0\\.0\\.1:${coturn.port}`), 'server URL shown');
  assert.match(await textOf(page, '#gather-time'), /\d+ candidate\(s\), 0 error\(s\) in \d+ ms/);
  // Relay only: nothing but relay candidates.
  assert.is(await gatherOn(page, prefilled, 'relay'), 'complete');
  const types = await page.$$eval('#candidates tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.type));
  assert.ok(types.length > 0 && types.every((t) => t === 'relay'), types.join(','));
  // No servers at all: host candidates only.
  assert.is(await gatherOn(page, ''), 'complete');
  const hostOnly = await page.$$eval('#candidates tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.type));
  assert.ok(hostOnly.length > 0 && hostOnly.every((t) => t === 'host'), hostOnly.join(','));
  assert.equal(errors, []);
  await context.close();
});

test('ICE tester: an unreachable TURN server shows a 701 row; expired credentials a 401 row', async ({ server, coturn, tb }) => {
  const { page, context } = await openUserPage(tb.browser, `${server.url}ice.html`);
  const errorRows = () => page.$$eval('#ice-errors tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const closed = await freeStunPort('127.0.0.1');
  const url = `turn:127.0.0.1:${closed}?transport=tcp`;
  assert.is(await gatherOn(page, `${url} someone secret`), 'complete');
  const unreachable = must((await errorRows()).find((c) => c[1] === '701'), 'a 701 row');
  assert.is(unreachable[3]?.replace(/\?transport=\w+$/, ''), url.replace(/\?transport=\w+$/, ''), 'the URL as the browser reports it (Firefox drops ?transport=)');
  assert.match(unreachable[4] ?? '', /could not be reached/);
  assert.match(await textOf(page, '#gather-time'), /[1-9]\d* error\(s\)/);
  // Made with the right secret, but their expiry (in the username) passed an hour ago: coturn says 401.
  const old = makeTurnCredentials(coturn.secret, [coturn.udpUrl], { now: Date.now() - 2 * 3600_000, ttl: 3600 });
  assert.is(await gatherOn(page, `${coturn.udpUrl} ${old.username} ${old.password}`, 'relay'), 'complete');
  const rows = await errorRows();
  const rejected = must(rows.find((c) => c[1] === '401'), `a 401 row: ${JSON.stringify(rows)}`);
  assert.is(rejected[3]?.replace(/\?transport=\w+$/, ''), coturn.udpUrl.replace(/\?transport=\w+$/, ''));
  assert.match(rejected[4] ?? '', /rejected the username\/password/);
  assert.is(await page.$$eval('#candidates tbody tr', (trs) => trs.length), 0, 'no relay candidate');
  await context.close();
});

test('call page, relay only with an unreachable TURN server: 701 explained on both sides', async ({ plain, tb }) => {
  const closed = await freeStunPort('127.0.0.1');
  const turn = `turn:127.0.0.1:${closed}?transport=tcp`;
  const url = `${plain.url}call.html?room=turn-701&policy=relay`;
  const first = await openUserPage(tb.browser, url);
  const second = await openUserPage(tb.browser, url);
  const pages = [first, second];
  for (const { page } of pages) {
    await waitForState(page, '#turn-status', 'off');
    await page.$eval('#ice-servers', (e, v) => { (e as HTMLTextAreaElement).value = v; }, `${turn} someone secret`);
  }
  await first.page.click('#join');
  await waitForState(first.page, '#room-state', 'joined');
  await second.page.click('#join');
  for (const { page } of pages) {
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'IceCandidateError', { timeout: 10_000, polling: 100 });
    const text = await textOf(page, '#problem');
    assert.match(text, /could not be reached \(701\)/);
    assert.ok(text.includes(turn), text);
    assert.not.match(text, /no network path/);
  }
  for (const p of pages) await p.context.close();
});

test('ICE tester without camera permission: host candidates are mDNS names, and the page explains them', async ({ server, tb: suiteBrowser }) => {
  // No fake UI, no grant: the browser hides local addresses behind <uuid>.local names (our Firefox
  // profile turns that off for calls, see helpers/browser.ts: turned back on here).
  const tb = await launchBrowser({
    browser: suiteBrowser.name,
    fakeUi: false,
    firefoxPrefs: { ...firefoxPrefs, 'media.peerconnection.ice.obfuscate_host_addresses': true },
  });
  try {
    const { page, errors } = await openUserPage(tb.browser, `${server.url}ice.html`);
    assert.is(await page.$eval('#mdns-note', (e) => (e as HTMLElement).hidden), true);
    assert.is(await gatherOn(page, ''), 'complete');
    const mdns = await page.$$eval('#candidates tbody tr[data-type="host"]', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.mdns));
    assert.ok(mdns.length > 0 && mdns.includes('true'), `mDNS host candidates: ${mdns.join(',')}`);
    assert.match(await textOf(page, '#candidates tbody tr[data-mdns="true"]'), /\.local \(mDNS\)/);
    assert.is(await page.$eval('#mdns-note', (e) => (e as HTMLElement).hidden), false, 'the mDNS explanation is shown');
    assert.match(await textOf(page, '#mdns-note'), /hides this\s+machine's real local IP address/);
    assert.equal(errors, []);
  } finally {
    await tb.close();
  }
});

test.run();
