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

/** Runs axe-core on `page` (the whole document, every rule axe enables by default). */
export async function axeViolations(page: Page): Promise<string[]> {
  source ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
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
