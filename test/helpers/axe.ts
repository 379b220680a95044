/**
 * Accessibility check with axe-core (a devDependency): injects axe into the page and returns its
 * violations as readable lines, `rule (impact): what — targets`. An empty list means none.
 *
 * @see https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#api-name-axerun
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer';

let source: string | undefined;

/**
 * Runs axe-core on `page` (the whole document, every rule axe enables by default), once the page's
 * pending scroll-box pass has run.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  source ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // The page marks scroll boxes keyboard-reachable in idle time (src/ui/scroll-boxes.ts, at most
  // 500 ms after a change): check what a user meets once that has run, not the moment before.
  await page.waitForFunction(() => document.documentElement.dataset.scrollboxes !== 'pending', { timeout: 5000, polling: 50 });
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.addScriptTag({ content: source });
  return page.evaluate(async () => {
    type Node = { target: unknown[] };
    type Violation = { id: string; impact: string | null; help: string; nodes: Node[] };
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => `${v.id} (${v.impact ?? '?'}): ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}${v.nodes.length > 5 ? ` … ${v.nodes.length} in all` : ''}`);
  });
}
