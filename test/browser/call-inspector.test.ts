import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import type { ElementHandle, Page } from 'puppeteer';
import { openUserPage, textOf, waitForState } from '../helpers/browser';
import { browserSuite } from '../helpers/suite';

const test = browserSuite<{ dir: string }>('call page inspector');

test.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'wp-inspector-'));
});
test.after((ctx) => {
  rmSync(ctx.dir, { recursive: true, force: true });
});

/** The arrows of the diagram, as "side direction type" in order. */
function arrows(page: Page): Promise<string[]> {
  return page.$$eval('#inspector .seq-rows li[data-kind="signal"]', (lis) =>
    lis.map((li) => `${(li as HTMLElement).dataset.side} ${(li as HTMLElement).dataset.direction} ${(li as HTMLElement).dataset.type}`),
  );
}

test('diagram, states, candidates and stats graphs of a live call; export re-imports into the same diagram', async ({ server, tb, dir }) => {
  const url = `${server.url}call.html?room=test-inspector`;
  const a = await openUserPage(tb.browser, url); // waits in the room: callee
  const b = await openUserPage(tb.browser, url); // joins second: caller
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await b.page.click('#join');
  await waitForState(a.page, '#call-state', 'connected');
  await waitForState(b.page, '#call-state', 'connected');
  // The inspector mounts and draws in idle time, after the setup: wait until it has drawn everything.
  for (const page of [a.page, b.page]) await page.waitForSelector('#inspector[data-pending="no"]', { timeout: 10_000 });

  // Caller's diagram: offer sent, then answer received, with candidates both ways, in that order.
  const callerArrows = await arrows(b.page);
  const offer = callerArrows.indexOf('caller sent offer');
  const answer = callerArrows.indexOf('caller received answer');
  assert.ok(offer >= 0 && answer > offer, `offer before answer: ${callerArrows.join(', ')}`);
  assert.ok(callerArrows.some((x, i) => i > offer && x === 'caller sent candidate'), 'local candidates sent after the offer');
  assert.ok(callerArrows.includes('caller received candidate'), 'remote candidates received');
  // Callee's diagram: offer received before its answer is sent.
  const calleeArrows = await arrows(a.page);
  assert.ok(calleeArrows.indexOf('callee received offer') >= 0);
  assert.ok(calleeArrows.includes('callee received welcome'), 'the waiting peer\'s welcome is on the callee side');
  assert.ok(calleeArrows.indexOf('callee sent answer') > calleeArrows.indexOf('callee received offer'), calleeArrows.join(', '));
  // Every arrow is in its own side's lane: the callee's own join too (it joined before knowing it would be the callee).
  assert.is(calleeArrows[0], 'callee sent join', calleeArrows.join(', '));
  assert.ok(calleeArrows.every((x) => x.startsWith('callee ')), calleeArrows.join(', '));
  assert.ok(callerArrows.every((x) => x.startsWith('caller ')), callerArrows.join(', '));
  assert.is(await textOf(a.page, '#inspector .seq-lanes [data-lane="callee"]'), 'callee (you)');
  assert.is(await textOf(a.page, '#inspector .seq-lanes [data-lane="caller"]'), 'caller (other side)');
  assert.is(await textOf(b.page, '#inspector .seq-lanes [data-you="true"]'), 'caller (you)');

  // Clicking the offer arrow shows the message and readable SDP with marked codec and ICE/DTLS lines.
  await b.page.click('#inspector li[data-type="offer"] button');
  assert.match(await textOf(b.page, '#inspector .message-detail h3'), /offer: sent by caller/);
  assert.match(await textOf(b.page, '#inspector .message-detail .message-json'), /"type": "offer"/);
  assert.ok((await b.page.$$('#inspector .sdp-section[data-media="video"]')).length >= 1, 'video m-section grouped');
  // Some codec line is an rtpmap (Firefox lists its fmtp lines first).
  const codecLines = await b.page.$$eval('#inspector .sdp-line[data-mark="codec"]', (ls) => ls.map((l) => l.textContent ?? ''));
  assert.ok(codecLines.some((l) => l.startsWith('a=rtpmap:')), codecLines.slice(0, 3).join(' | '));
  assert.ok((await b.page.$$('#inspector .sdp-line[data-mark="dtls"]')).length >= 2, 'fingerprint and setup marked');
  assert.ok((await b.page.$$('#inspector .sdp-line[data-mark="ice"]')).length >= 2, 'ice-ufrag and ice-pwd marked');

  // State panel shows the history of connectionState ending in connected.
  const history = await textOf(b.page, '#inspector [data-side="caller"] tr[data-which="connectionState"] .state-history');
  assert.match(history, /connecting.*connected/);
  assert.is(await b.page.$eval('#inspector [data-side="caller"] tr[data-which="connectionState"] .badge', (e) => (e as HTMLElement).dataset.state), 'connected');

  // Stats: the inbound video bitrate graph gets a non-zero value; the selected pair is marked.
  await b.page.waitForFunction(
    () => Number(document.querySelector<HTMLElement>('[data-graph="caller-video-kbps"] [data-series="in"]')?.dataset.value || 0) > 0,
    { timeout: 15_000, polling: 250 },
  );
  await b.page.waitForFunction(
    () => Number(document.querySelector<HTMLElement>('[data-graph="caller-audio-kbps"] [data-series="in"]')?.dataset.value || 0) > 0,
    { timeout: 10_000, polling: 250 },
  );
  // Graphs: a 60 s time axis, filling from the left (first sample at the left edge, the line not yet across),
  // y axis in the unit with RTT's floor of 50 ms, in solid and out dashed, current values printed.
  const graph = await b.page.$eval('[data-graph="caller-video-kbps"]', (fig) => {
    const [lineIn, lineOut] = [fig.querySelector<SVGPathElement>('path[data-line="in"]'), fig.querySelector<SVGPathElement>('path[data-line="out"]')];
    return {
      windowMs: (fig as HTMLElement).dataset.windowMs,
      x: [...fig.querySelectorAll('.graph-x span')].map((s) => s.textContent ?? ''),
      y: [...fig.querySelectorAll('.graph-y span')].map((s) => s.textContent ?? ''),
      firstX: Number(lineIn?.dataset.firstX), lastX: Number(lineIn?.dataset.lastX),
      inDash: lineIn?.getAttribute('stroke-dasharray') ?? null, outDash: lineOut?.getAttribute('stroke-dasharray') ?? null,
      legend: fig.querySelector('figcaption')?.textContent ?? '',
    };
  });
  assert.is(graph.windowMs, '60000');
  assert.ok(graph.x.length >= 6 && graph.x.every((l) => /^\d+ s$/.test(l)), graph.x.join(' | '));
  assert.ok(graph.y.length === 3 && graph.y.every((l) => l.endsWith(' kbps')) && graph.y.at(-1) === '0 kbps', graph.y.join(' | '));
  assert.ok(graph.firstX < 0.05, `the line starts at the left edge (its first rate comes with the second sample, 1 s in): ${graph.firstX}`);
  assert.ok(graph.lastX > 0 && graph.lastX < 1, `the line ends inside the window: ${graph.lastX}`);
  assert.equal([graph.inDash, typeof graph.outDash], [null, 'string'], 'in solid, out dashed');
  assert.match(graph.legend, /in \(received\) \d+(\.\d)? kbps.*out \(sent\) \d+(\.\d)? kbps/);
  assert.ok(Number(await b.page.$eval('[data-graph="caller-rtt"]', (e) => (e as HTMLElement).dataset.top)) >= 50, 'RTT axis at least 0-50 ms');
  assert.ok((await b.page.$$('#inspector .candidates tr[data-origin="local"]')).length >= 1, 'local candidates listed');
  assert.ok((await b.page.$$('#inspector .candidates tr[data-origin="remote"]')).length >= 1, 'remote candidates listed');
  await b.page.waitForSelector('#inspector .candidates tr[data-selected="true"]', { timeout: 5_000 });
  assert.match(await textOf(b.page, '#inspector .selected-pair'), /Selected pair \(caller\): local host/);
  assert.match(await textOf(b.page, '#inspector [data-side="caller"] .stats-facts [data-kind="video"]'), /codec video\/\w+ · \d+×\d+/);

  // Export, then import the file: the same arrows appear in the diagram.
  await b.page.click('#inspector-export');
  const live = await arrows(b.page); // after the export: a superset of what was exported
  const href = await b.page.$eval('#inspector-download', (e) => (e as HTMLAnchorElement).href);
  assert.match(href, /^blob:/);
  const json = await b.page.evaluate(async (u: string) => (await fetch(u)).text(), href);
  const exported = JSON.parse(json) as { format: string; entries: { kind: string }[] };
  assert.is(exported.format, 'webrtc-playground-trace');
  assert.ok(exported.entries.some((e) => e.kind === 'stats'), 'stats samples exported');
  const file = join(dir, 'session.json');
  writeFileSync(file, json);
  // Import into the other page (it never saw the caller's side) and into the same page.
  for (const page of [a.page, b.page]) {
    const input = (await page.$('#inspector-import')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(file);
    await waitForState(page, '#inspector-mode', 'imported');
    assert.equal(await arrows(page), live.slice(0, (await arrows(page)).length));
    assert.is((await arrows(page)).length, exported.entries.filter((e) => e.kind === 'signal').length);
  }
  assert.equal(await arrows(a.page), await arrows(b.page));
  // Replay draws the imported session again, arrow by arrow, ending with the same diagram.
  const started = await b.page.evaluate(() => {
    document.querySelector<HTMLButtonElement>('#inspector-replay')?.click();
    return { mode: document.querySelector<HTMLElement>('#inspector-mode')?.dataset.state, rows: document.querySelectorAll('#inspector .seq-rows li').length };
  });
  assert.equal(started, { mode: 'replaying', rows: 0 });
  await waitForState(b.page, '#inspector-mode', 'imported', 20_000);
  assert.equal(await arrows(b.page), await arrows(a.page));
  assert.ok(Number(await a.page.$eval('[data-graph="caller-video-kbps"] [data-series="in"]', (e) => (e as HTMLElement).dataset.value || 0)) > 0, 'imported stats plotted');

  // Merging the caller's exported session into the callee's live one shows both sides in one diagram.
  await a.page.click('#inspector-live');
  const merge = (await a.page.$('#inspector-merge')) as ElementHandle<HTMLInputElement>;
  await merge.uploadFile(file);
  await waitForState(a.page, '#inspector-mode', 'merged');
  const both = await arrows(a.page);
  // (Each side's own order is kept; across the two, a message's send and receipt may be within a clock tick.)
  for (const x of ['callee sent join', 'caller sent join', 'caller sent offer', 'callee received offer', 'callee sent answer', 'caller received answer']) assert.ok(both.includes(x), `${x} in ${both.join(', ')}`);
  assert.ok(both.indexOf('caller sent offer') < both.indexOf('callee sent answer'), both.join(', '));

  // A file that is not a session is explained on the page.
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"hello": 1}');
  const input = (await a.page.$('#inspector-import')) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(bad);
  await a.page.waitForSelector('#inspector .problem[data-error="TypeError"]', { timeout: 5_000 });
  assert.match(await textOf(a.page, '#inspector .problem'), /not a call-inspector session/);
  await a.page.click('#inspector-live');
  await waitForState(a.page, '#inspector-mode', 'live');
  assert.ok((await arrows(a.page)).includes('callee sent answer'));

  assert.equal(a.errors, []);
  assert.equal(b.errors, []);
  await a.context.close();
  await b.context.close();
});

test.run();
