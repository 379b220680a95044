import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { openUserPage, waitForState } from '../helpers/browser';
import { must } from '../helpers/must';
import { browserSuite } from '../helpers/suite';
import { STEP_IDS } from '../../src/rtc/step-ids';

const test = browserSuite('step mode and loopback');

/** A step list's board: `step=state` for every step, in order (what the list shows for both sides). */
function board(page: Page, panel: string): Promise<string> {
  return page.$$eval(`${panel} li[data-step]`, (lis) => lis.map((li) => `${(li as HTMLElement).dataset.step}=${(li as HTMLElement).dataset.state}`).join(' '));
}

/** The same board, from the list's `data-board` summary (one read per page while polling). */
function boardSummary(page: Page, panel: string): Promise<string> {
  return page.$eval(panel, (e) => (e as HTMLElement).dataset.board ?? '');
}

/**
 * Clicks "Next step" on whichever side is ready until every panel is done. `panels` are
 * [page, panel selector, button selector] triples. After every click, every list must come to show
 * the same board (both sides' steps), with the clicked step done.
 */
async function stepAll(panels: [Page, string, string][]): Promise<number> {
  let clicks = 0;
  for (let guard = 0; guard < 200; guard++) {
    const states = await Promise.all(panels.map(([page, panel]) => page.$eval(panel, (e) => (e as HTMLElement).dataset.state ?? '')));
    if (states.every((s) => s === 'done')) return clicks;
    const ready = states.findIndex((s) => s === 'ready');
    if (ready >= 0) {
      const [page, panel, button] = must(panels[ready], `panel ${ready}`);
      const n = Number(await page.$eval(button, (b) => (b as HTMLElement).dataset.nextStep));
      const step = must(STEP_IDS[n - 1], `step ${n}`);
      await page.click(button);
      clicks++;
      await page.waitForFunction((sel: string) => document.querySelector<HTMLElement>(sel)?.dataset.state !== 'running', { timeout: 30_000, polling: 50 }, panel);
      const tA = Date.now();
      await agree(panels, step, clicks);
      if (process.env.DEBUG_STEPS) console.log(`click ${clicks} ${step} agree ${Date.now() - tA} ms`);
    } else {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('steps did not finish');
}

/** Waits (up to 5 s: one relayed message) until every list shows the same board, with `step` done in it. */
async function agree(panels: [Page, string, string][], step: string, click: number): Promise<void> {
  let boards: string[] = [];
  for (const t0 = Date.now(); Date.now() - t0 < 5000;) {
    boards = await Promise.all(panels.map(([page, panel]) => boardSummary(page, panel)));
    if (boards.every((b) => b === boards[0]) && boards[0]?.includes(`${step}=done`)) {
      // What the list shows (each item's state) is that board.
      const [page, panel] = must(panels[0], 'panel');
      const [summary, items] = await page.$eval(panel, (root) => [(root as HTMLElement).dataset.board ?? '',
        [...root.querySelectorAll<HTMLElement>('li[data-step]')].map((li) => `${li.dataset.step}=${li.dataset.state}`).join(' ')]);
      assert.is(items, summary);
      return;
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  assert.unreachable(`after click ${click} (${step}) the step lists disagree:\n${boards.join('\n')}`);
}

/** framesDecoded of the inbound video on the pc at the dotted `path` in window.playground (-1: no pc there). */
async function frames(page: Page, path: string): Promise<number> {
  return page.evaluate(async (p: string) => {
    let at: unknown = (globalThis as { playground?: unknown }).playground;
    for (const key of p.split('.')) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
    if (!(at instanceof RTCPeerConnection)) return -1;
    const pc = at;
    let n = 0;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
    });
    return n;
  }, path);
}

async function resultsOf(page: Page, panel: string): Promise<Record<string, string>> {
  return page.$$eval(`${panel} li[data-step]`, (lis) =>
    Object.fromEntries(lis.flatMap((li) => {
      const result = li.querySelector('.step-result');
      return result ? [[(li as HTMLElement).dataset.step ?? '', result.textContent ?? '']] : [];
    })),
  );
}

test('step mode across two tabs: every step one click at a time ends connected with frames decoded; then an ICE restart as 4 steps', async ({ server, tb }) => {
  const url = `${server.url}call.html?room=test-steps`;
  const callee = await openUserPage(tb.browser, url);
  const caller = await openUserPage(tb.browser, url);
  for (const { page } of [callee, caller]) {
    await page.click('#mode-step');
    await page.click('#join');
    await waitForState(page, '#room-state', 'joined');
  }
  // Before the caller's offer, the callee waits; its button is disabled.
  await waitForState(callee.page, '#steps', 'waiting');
  assert.is(await callee.page.$eval('#next-step', (b) => (b as HTMLButtonElement).disabled), true);
  assert.match(await callee.page.$eval('#steps .step-status', (e) => e.textContent ?? ''), /callee.*waits for: server relays the offer/);
  await waitForState(caller.page, '#steps', 'ready');
  // Each list shows both sides: the caller's first step is next in the callee's list too, marked as the other side's.
  await callee.page.waitForSelector('#steps li[data-step="caller-get-user-media"][data-state="next"][data-owner="peer"]', { timeout: 5000 });
  assert.match(await callee.page.$eval('#steps li[data-step="caller-get-user-media"] .step-mark', (e) => e.textContent ?? ''), /next \(other side\)/);
  assert.is(await board(callee.page, '#steps'), await board(caller.page, '#steps'));
  // The code shown is the step's own function, from the source that runs it.
  assert.match(await caller.page.$eval('#steps .step-current', (e) => e.textContent ?? ''), /getUserMedia.*async function getUserMedia\(\{ media \}: StepScope\).*media\.getUserMedia\(\{ audio: true, video: true \}\)/s);

  const clicks = await stepAll([[caller.page, '#steps', '#next-step'], [callee.page, '#steps', '#next-step']]);
  assert.is(clicks, 22, 'caller 11 own steps + callee 11 own steps (the server relays by itself); the lists agreed after each');
  for (const { page } of [caller, callee]) {
    await waitForState(page, '#call-state', 'connected');
    assert.is(await page.$eval('#connection-state', (e) => (e as HTMLElement).dataset.state), 'connected');
    assert.ok((await frames(page, 'stepper.peer.pc')) > 0, 'frames decoded');
    const st = await page.$$eval('#steps li[data-step]', (l) => l.map((x) => `${(x as HTMLElement).dataset.step}=${(x as HTMLElement).dataset.state}`).join(' '));
    assert.is(await page.$$eval('#steps li[data-state="done"]', (l) => l.length), 23, `every step is known done on each side: ${st}`);
  }
  // The diagram shows the step names as notes in each side's lane, between the messages.
  const notes = await caller.page.$$eval('#inspector .seq-rows li', (lis) => lis.map((li) => `${(li as HTMLElement).dataset.kind} ${(li as HTMLElement).dataset.side} ${li.textContent ?? ''}`));
  const offerNote = notes.findIndex((n) => n.startsWith('note caller') && n.includes('emit offer'));
  assert.ok(offerNote >= 0 && notes.slice(offerNote + 1).some((n) => n.startsWith('signal caller') && /offer/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => n.startsWith('note caller') && n.includes('step 4: createOffer')), 'step names are notes');
  const mine = await resultsOf(caller.page, '#steps');
  assert.is(Object.keys(mine).length, 11);
  assert.match(must(mine['caller-create-offer'], 'caller-create-offer result'), /offer: \d+ SDP lines, m-sections: audio, video, application/);
  assert.match(must(mine['caller-create-offer'], 'caller-create-offer result'), /v=0/);
  assert.match(must(mine['caller-set-local-offer'], 'caller-set-local-offer result'), /have-local-offer/);
  assert.match(must(mine['caller-ice-gathering'], 'caller-ice-gathering result'), /candidate/);
  assert.match(must(mine['caller-set-remote-answer'], 'caller-set-remote-answer result'), /signalingState: stable/);
  assert.match(must(mine.connected, 'connected result'), /connectionState: connected.*[1-9]\d* video frame/);
  const theirs = await resultsOf(callee.page, '#steps');
  assert.match(must(theirs['callee-set-remote-offer'], 'callee-set-remote-offer result'), /have-remote-offer/);
  assert.match(must(theirs['callee-create-answer'], 'callee-create-answer result'), /answer: /);

  // ICE restart as steps: "Restart ICE" on the callee, then 4 clicks there; the caller answers by itself.
  const ufrag = (page: Page) => page.evaluate(() => /a=ice-ufrag:(\S+)/.exec((globalThis as { playground?: { stepper?: { peer?: { pc: RTCPeerConnection } } } }).playground?.stepper?.peer?.pc.localDescription?.sdp ?? '')?.[1] ?? '');
  const before = [await ufrag(callee.page), await ufrag(caller.page)];
  await callee.page.waitForFunction(() => document.querySelector<HTMLButtonElement>('#restart-ice')?.disabled === false, { timeout: 10_000, polling: 50 });
  await callee.page.click('#restart-ice');
  await waitForState(callee.page, '#steps', 'ready');
  assert.match(await callee.page.$eval('#steps .step-current', (e) => e.textContent ?? ''), /ICE restart 1\. createOffer\(\{ iceRestart: true \}\).*async function createRestartOffer\(\{ pc \}: StepScope\).*pc\.createOffer\(\{ iceRestart: true \}\)/s);
  for (let n = 1; n <= 4; n++) {
    await waitForState(callee.page, '#steps', 'ready', 30_000);
    assert.is(await callee.page.$eval('#next-step', (e) => (e as HTMLElement).dataset.nextStep), `restart-${n}`);
    await callee.page.click('#next-step');
    await callee.page.waitForFunction((k: number) => document.querySelectorAll('#steps li[data-restart-step][data-state="done"]').length >= k, { timeout: 30_000, polling: 50 }, n);
  }
  await waitForState(callee.page, '#steps', 'done');
  await caller.page.waitForFunction(() => /restarted ICE.*answered/.test(document.querySelector('#steps [data-restart="answered"]')?.textContent ?? ''), { timeout: 30_000, polling: 50 });
  for (const { page } of [caller, callee]) {
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#signaling-state')?.dataset.state === 'stable', { timeout: 30_000, polling: 50 });
    await waitForState(page, '#call-state', 'connected');
  }
  const after = [await ufrag(callee.page), await ufrag(caller.page)];
  assert.ok(after[0] !== before[0] && after[1] !== before[1], `new ICE credentials on both sides: ${before.join(',')} → ${after.join(',')}`);
  assert.equal([...caller.errors, ...callee.errors], []);
  await caller.context.close();
  await callee.context.close();
});

test('loopback: auto mode connects in one page and shows the setup time; step mode walks both sides', async ({ server, tb }) => {
  const { page, context, errors } = await openUserPage(tb.browser, `${server.url}loopback.html`);
  await page.click('#start');
  await waitForState(page, '#caller .call-state', 'connected');
  await waitForState(page, '#callee .call-state', 'connected');
  await waitForState(page, '#setup-time', 'measured');
  assert.match(await page.$eval('#setup-time', (e) => e.textContent ?? ''), /^\d+ ms$/);
  await page.waitForFunction(
    async () => {
      const pc = (globalThis as { playground?: { loopback?: { sessions: { callee: { peer: { pc: RTCPeerConnection } } } } } }).playground?.loopback?.sessions.callee.peer.pc;
      let n = 0;
      (await pc?.getStats())?.forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
      });
      return n > 0;
    },
    { timeout: 15_000, polling: 200 },
  );
  await page.click('#stop');
  await waitForState(page, '#caller .call-state', 'idle');

  await page.click('#mode-step');
  await page.click('#start');
  await waitForState(page, '#caller .steps', 'ready');
  await stepAll([[page, '#caller .steps', '#next-step-caller'], [page, '#callee .steps', '#next-step-callee']]);
  await waitForState(page, '#caller .call-state', 'connected');
  await waitForState(page, '#callee .call-state', 'connected');
  assert.is(await page.$eval('#setup-time', (e) => (e as HTMLElement).dataset.state), 'step-mode');
  assert.ok((await frames(page, 'loopback.sessions.caller.peer.pc')) > 0);
  assert.equal(errors, []);
  await context.close();
});

test.run();
