/**
 * The "How it works" panel (loaded with a dynamic `import()` by src/ui/how-loader.ts): the page's
 * API calls, each as the source of the function that runs it (src/ui/how-entries.ts), with its MDN
 * link, lit up with its result each time it runs (src/util/code-ran.ts).
 *
 * Each entry is `section.how-entry[data-keys]` with `data-state="idle|ran|failed"` and
 * `data-runs` (how many times it ran); its code is in `pre > code.how-code`, its last result in
 * `.how-result`. A polite live region (`.how-live`) says which call just ran.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/HTML/Element/details
 */
import { onCodeRan, runningSource, type CodeRun } from '../util/code-ran';
import { exposeDebug, h } from './dom';
import { batchWhenIdle } from './idle';
import { HOW_ENTRIES, isHowPage, type HowEntry } from './how-entries';
import { describeResult } from './run-result';

const clock = (at: number) => new Date(performance.timeOrigin + at).toLocaleTimeString();

function renderEntry(e: HowEntry): { section: HTMLElement; result: HTMLElement } {
  const result = h('p', { class: 'how-result' }, 'Not run yet.');
  const section = h(
    'section',
    { class: 'how-entry', 'data-keys': e.keys.join(' '), 'data-state': 'idle', 'data-runs': '0' },
    h('h3', {}, h('code', {}, e.api), ' ', h('a', { href: e.mdn, target: '_blank', rel: 'noopener' }, 'MDN', h('span', { class: 'visually-hidden' }, `: ${e.api}`))),
    h('p', { class: 'hint' }, e.when),
    h('pre', { class: 'how-pre' }, h('code', { class: 'how-code' }, e.code)),
    result,
  );
  return { section, result };
}

/**
 * Fills `details` (the panel the loader made) with the entries of `page` and lights each one up
 * when its code runs (runs from before the panel loaded at once; later runs in the next idle time,
 * which waits while a call sets up, see holdDisplay). Exposes
 * `playground.howItWorks` for tests: `{ shown(key), running(key) }` (the shown text and the
 * running function's source).
 * @throws TypeError for an unknown page.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTML/Element/details
 * @see https://developer.mozilla.org/en-US/docs/Web/Accessibility/ARIA/Attributes/aria-live
 */
export function renderHowItWorks(details: HTMLDetailsElement, page: string): void {
  if (!isHowPage(page)) throw new TypeError(`no "How it works" panel for page ${page}`);
  const entries = HOW_ENTRIES[page];
  const body = details.querySelector('.how-body') ?? details.appendChild(h('div', { class: 'how-body' }));
  const live = details.querySelector('.how-live') ?? h('p', { class: 'how-live', 'aria-live': 'polite' });
  if (entries.length === 0) {
    body.replaceChildren(live, h('p', { class: 'hint', 'data-empty': 'true' }, 'This page only links to the others: it runs no WebRTC or media API itself. Open a page to see the code it runs, lit up as it runs.'));
    details.dataset.loaded = 'true';
    return;
  }
  const rendered = entries.map((e) => ({ e, ...renderEntry(e) }));
  body.replaceChildren(
    live,
    h('p', { class: 'hint' }, 'The functions below are the ones this page really runs, their text taken from the source at build time. Each lights up with its result when it runs.'),
    ...rendered.map((r) => r.section),
  );
  const byKey = new Map<string, (typeof rendered)[number]>();
  for (const r of rendered) for (const k of r.e.keys) byKey.set(k, r);
  const show = (run: CodeRun) => {
    const r = byKey.get(run.key);
    if (!r) return;
    const runs = Number(r.section.dataset.runs ?? '0') + 1;
    r.section.dataset.runs = String(runs);
    r.section.dataset.state = run.ok ? 'ran' : 'failed';
    r.section.dataset.key = run.key;
    r.result.textContent = `${run.ok ? 'Ran' : 'Failed'} at ${clock(run.at)}${runs > 1 ? ` (${runs} times)` : ''}: ${describeResult(run.result, run.ok)}`;
    // Restart the flash animation (style.css: .how-entry.flash): off now, on again two frames later,
    // so the browser sees it off in between. No forced layout (reading offsetWidth cost ~3 ms a run).
    r.section.classList.remove('flash');
    requestAnimationFrame(() => requestAnimationFrame(() => r.section.classList.add('flash')));
    live.textContent = `${r.e.api} just ${run.ok ? 'ran' : 'failed'}.`;
  };
  // Drawn in idle time, all runs since the last drawing at once: a run inside a call's signal path
  // (each candidate and description is one) must not wait for the panel, nor a call's setup
  // (see holdDisplay).
  const later = batchWhenIdle<CodeRun>((runs) => runs.forEach(show));
  // The runs from before the panel loaded are drawn at once, with it.
  let replayed = false;
  onCodeRan((run: CodeRun) => (replayed ? later(run) : show(run)));
  replayed = true;
  details.dataset.loaded = 'true';
  exposeDebug('howItWorks', {
    shown: (key: string) => rendered.find((r) => r.e.keys.includes(key))?.e.code,
    running: (key: string) => runningSource(key),
  });
}
