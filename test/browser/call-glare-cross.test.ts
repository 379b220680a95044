/**
 * Glare between Chromium and Firefox: "Call again" pressed in both at the same moment, 4 rounds in a
 * row, always one connected call. (Same-browser glare: call-resilience.test.ts; the stalled-gathering
 * recovery after a glare: test/unit/call-recovery.test.ts.)
 */
import * as assert from 'uvu/assert';
import { openUserPage, waitForState } from '../helpers/browser';
import { glareRounds } from '../helpers/glare';
import { crossBrowserSuite } from '../helpers/suite';

const test = crossBrowserSuite('call glare, Chromium ↔ Firefox');

test('glare: "Call again" in Chromium and Firefox at once, 4 times in a row, always connects', async ({ server, chromium, firefox }) => {
  const url = `${server.url}call.html?room=glare-cross`;
  const c = await openUserPage(chromium.browser, url);
  const f = await openUserPage(firefox.browser, url);
  await c.page.click('#join');
  await waitForState(c.page, '#room-state', 'joined', 30_000);
  await f.page.click('#join');
  await Promise.all([c, f].map(({ page }) => waitForState(page, '#call-state', 'connected', 30_000)));
  const glares = await glareRounds(c, f, 4);
  assert.ok(glares >= 1, 'no real glare (both sides offered) in 4 rounds');
  assert.equal([...c.errors, ...f.errors].filter((e) => !/WebSocket|ERR_CONNECTION/.test(e)), []);
  await c.context.close();
  await f.context.close();
});

test.run();
