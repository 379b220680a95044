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

test.run();
