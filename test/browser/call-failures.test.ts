import * as assert from 'uvu/assert';
import type { PlaygroundServer } from '../../server/app';
import { openUserPage, textOf, waitForState } from '../helpers/browser';
import { startTestServer } from '../helpers/server';
import { browserSuite } from '../helpers/suite';

// No fake UI: permission prompts are not auto-accepted, so a context without grants is denied.
const test = browserSuite('call page failures', { fakeUi: false });

test('camera permission denied: the page explains it and still joins to receive', async ({ tb }) => {
  const server = await startTestServer();
  try {
    const { page, context } = await openUserPage(tb.browser, `${server.url}call.html?room=denied`);
    await page.click('#join');
    await waitForState(page, '#room-state', 'joined');
    assert.is(await page.$eval('#problem', (e) => (e as HTMLElement).dataset.error), 'NotAllowedError');
    assert.match(await textOf(page, '#problem'), /Permission to use the camera or microphone was denied/);
    assert.match(await textOf(page, '#problem'), /Allow/);
    assert.match(await textOf(page, '#room-hint'), /without camera/);
    await context.close();
  } finally {
    await server.close();
  }
});

test('signaler down: the page says it is reconnecting (attempt, countdown), Leave stops it; an unreachable server is retried', async ({ tb }) => {
  const server: PlaygroundServer = await startTestServer();
  const { page, context } = await openUserPage(tb.browser, `${server.url}call.html?room=down`, ['camera', 'microphone']);
  // The server stops while the page is joined.
  await page.click('#join');
  await waitForState(page, '#room-state', 'joined');
  await server.close();
  await waitForState(page, '#room-state', 'reconnecting');
  assert.is(await page.$eval('#problem', (e) => (e as HTMLElement).dataset.error), 'SignalingClosed');
  assert.match(await textOf(page, '#problem'), /connection to the signaling server was lost/i);
  await page.waitForFunction(() => /Reconnecting to the signaling server \(attempt [2-9]\d*, next in \d+\.\d s\)…/.test(document.querySelector('#room-state')?.textContent ?? ''), { timeout: 20_000, polling: 50 });
  await page.click('#leave');
  await waitForState(page, '#room-state', 'left');
  // With no server at all, joining says it cannot reach it, and keeps trying.
  await page.click('#join');
  await waitForState(page, '#room-state', 'reconnecting');
  assert.is(await page.$eval('#problem', (e) => (e as HTMLElement).dataset.error), 'SignalingUnreachable');
  assert.match(await textOf(page, '#problem'), /Cannot reach the signaling server/);
  assert.match(await textOf(page, '#room-state'), /Cannot reach the signaling server; trying again \(attempt \d+/);
  assert.is(await page.$eval('#leave', (e) => (e as HTMLButtonElement).disabled), false, 'can give up');
  await context.close();
});

test('ICE failure without TURN (both pages send no candidates, candidates=none): the watchdog restarts ICE, visibly, then both pages explain why in plain words, not "no network path"', async ({ server, tb }) => {
  // ice-timeout-ms=1000: the watchdog acts after 1 s instead of 5 s (both validated link parameters).
  const url = `${server.url}call.html?room=no-candidates&candidates=none&ice-timeout-ms=1000`;
  const a = await openUserPage(tb.browser, url, ['camera', 'microphone']);
  const b = await openUserPage(tb.browser, url, ['camera', 'microphone']);
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await b.page.click('#join');
  for (const { page } of [a, b]) {
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'IceStuck', { timeout: 30_000, polling: 100 });
    const problem = await textOf(page, '#problem');
    assert.match(problem, /could not connect/);
    assert.match(problem, /candidates=none/);
    assert.match(problem, /restarted ICE/, 'says which recovery was tried');
    assert.not.match(problem, /no network path/i);
    assert.is.not(await page.$eval('#call-state', (e) => (e as HTMLElement).dataset.state), 'connected');
  }
  // The impolite side's watchdog restarted ICE: its page said so, and its diagram has the note
  // and a second offer.
  const notes = await Promise.all([a, b].map(({ page }) => page.$$eval('#inspector li[data-kind="note"]', (els) => els.map((e) => e.textContent ?? '').join('\n'))));
  const restarted = notes.filter((n) => /watchdog restarted ICE/.test(n));
  assert.is(restarted.length, 1, `exactly one side restarted ICE: ${notes.join(' | ')}`);
  await a.context.close();
  await b.context.close();
});

test.run();
