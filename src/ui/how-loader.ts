/**
 * Adds the "How it works" panel to the end of the page's `<main>` and loads its contents (the
 * code texts, src/ui/how-it-works.ts) with a dynamic `import()` when it is opened or when the
 * browser is idle, so the page's first load stays small. Runs before the load are not lost
 * (src/util/code-ran.ts keeps them).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/requestIdleCallback
 */

/** A tiny `h()` (src/ui/dom.ts pulls in the error texts, too big for every page's first load). */
function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string>, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/**
 * The panel of this page (`<main id="gum-page">` → `gum`, no id → `index`), appended to `<main>`.
 * @returns the `<details>` element, or null when the page has no `<main>`.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 */
export function mountHowItWorks(doc: Document = document): HTMLDetailsElement | null {
  const main = doc.querySelector('main');
  if (!main) return null;
  const page = main.id ? main.id.replace(/-page$/, '') : 'index';
  const body = el(doc, 'div', { class: 'how-body' }, el(doc, 'p', { class: 'how-live', 'aria-live': 'polite' }), el(doc, 'p', { class: 'muted' }, 'Loading the code…'));
  const details = el(
    doc,
    'details',
    { class: 'card how-it-works', id: 'how-it-works', 'data-page': page },
    el(doc, 'summary', {}, el(doc, 'h2', {}, 'How it works: the code this page runs')),
    body,
  );
  main.append(details);
  let loading: Promise<void> | null = null;
  const load = (): Promise<void> =>
    (loading ??= import('./how-it-works').then(
      (m) => m.renderHowItWorks(details, page),
      (err: unknown) => {
        loading = null; // try again on the next toggle
        body.replaceChildren(el(doc, 'p', { class: 'problem' }, `The code could not be loaded (${err instanceof Error ? err.message : String(err)}). Reload the page to try again.`));
      },
    ));
  details.addEventListener('toggle', () => {
    if (details.open) void load();
  });
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void load(), { timeout: 3000 });
  else setTimeout(() => void load(), 1000);
  return details;
}
