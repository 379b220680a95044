/** Glare on the call page: both users press "Call again" at the same moment. */
import type { Page } from 'puppeteer';
import { waitForState, type UserPage } from './browser';

type Dbg = { playground?: { trace?: { entries: { kind: string; direction?: string; message?: { type: string } }[] } } };

/** Offers `page` has sent so far (from its trace). */
export const offersSent = (page: Page): Promise<number> =>
  page.evaluate(() => ((globalThis as Dbg).playground?.trace?.entries ?? []).filter((e) => e.kind === 'signal' && e.direction === 'sent' && e.message?.type === 'offer').length);

/**
 * `rounds` times: hang up on `a`, then "Call again" on both pages at once, and wait until both are
 * connected again (each wait up to `timeoutMs`).
 * @returns in how many rounds both pages really sent an offer (a real glare).
 */
export async function glareRounds(a: UserPage, b: UserPage, rounds: number, timeoutMs = 30_000): Promise<number> {
  const both = (state: string) => Promise.all([a, b].map((p) => waitForState(p.page, '#call-state', state, timeoutMs)));
  let glares = 0;
  for (let round = 0; round < rounds; round++) {
    await a.page.click('#hangup');
    await both('idle');
    const before = [await offersSent(a.page), await offersSent(b.page)];
    await Promise.all([a, b].map(({ page }) => page.evaluate(() => document.querySelector<HTMLButtonElement>('#call')?.click())));
    await both('connected');
    const after = [await offersSent(a.page), await offersSent(b.page)];
    if ((after[0] ?? 0) > (before[0] ?? 0) && (after[1] ?? 0) > (before[1] ?? 0)) glares++;
  }
  console.log(`  glare: both sides offered in ${glares} of ${rounds} rounds`);
  return glares;
}
