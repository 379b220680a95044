/**
 * Classroom-ready pages: every page, in its first state and after its main action, at a phone width
 * (360x740) and on a projector (1920x1080), has no horizontal page overflow and no axe-core
 * violation. The viewport is resized in place, so each main action runs once.
 */
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { axeViolations } from '../helpers/axe';
import type { UserPage } from '../helpers/browser';
import { browserSuite } from '../helpers/suite';
import { TOUR, horizontalOverflow, openSized } from '../helpers/tour';

const test = browserSuite('classroom: layout and accessibility');
const SIZES: [number, number][] = [[360, 740], [1920, 1080]];

/**
 * Overflow at both sizes; axe at the widths in `axeAt` (axe takes 0.5-1 s a run: it runs at 360 px in
 * both states and at 1920 px after the main action, when the page shows the most).
 */
async function check(page: Page, where: string, axeAt: number[]): Promise<void> {
  for (const [width, height] of SIZES) {
    await page.setViewport({ width, height });
    const { overflow, culprits } = await horizontalOverflow(page);
    assert.is(overflow, 0, `${where} at ${width}x${height}: the page is ${overflow} px wider than the screen (${culprits.join(', ')})`);
    if (!axeAt.includes(width)) continue;
    const violations = await axeViolations(page);
    assert.equal(violations, [], `${where} at ${width}x${height}: axe violations:\n  ${violations.join('\n  ')}`);
  }
}

for (const stop of TOUR) {
  test(`${stop.path}: no overflow at 360 px, 0 axe violations, first state and after "${stop.action}"`, async ({ server, tb }) => {
    const others: UserPage[] = [];
    const user = await openSized(tb.browser, new URL(stop.path, server.url).toString(), SIZES[0]![0], SIZES[0]![1]);
    try {
      await check(user.page, `${stop.path} (first state)`, stop.path === '/' ? [360, 1920] : [360]);
      await stop.run(user, async (url) => {
        const other = await openSized(tb.browser, url, 1280, 800);
        others.push(other);
        return other;
      });
      if (stop.path !== '/') await check(user.page, `${stop.path} (after ${stop.action})`, [360, 1920]);
      assert.equal(user.errors, [], `errors on ${stop.path}`);
    } finally {
      for (const o of others) await o.context.close();
      await user.context.close();
    }
  });
}

test.run();
