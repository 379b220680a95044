/**
 * Small DOM helpers shared by every page: typed element lookup, the problem box that shows an
 * {@link Explanation}, state badges, and the one explicit debug object for tests.
 * Everything renders with `textContent`, never `innerHTML`, so peer-supplied strings stay text.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Node/textContent
 */
import type { ErrorContext, Explanation } from '../errors/playground-error';
import { prefetchWhenIdle, showSoon } from './idle';

/**
 * Finds the element matching `selector` and checks its type.
 * @throws TypeError when it is missing or not an instance of `type` (a page/HTML mismatch).
 */
export function $<T extends Element = HTMLElement>(
  selector: string,
  type: abstract new (...args: never[]) => T = HTMLElement as unknown as abstract new (...args: never[]) => T,
  root: ParentNode = document,
): T {
  const el = root.querySelector(selector);
  if (!(el instanceof type)) throw new TypeError(`element ${selector} is missing or not a ${type.name}`);
  return el;
}

/** Creates an element with text and attributes (no HTML parsing). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** Where else a problem is shown: next to the control that caused it. */
export interface ProblemPlacement {
  /** The control the user pressed (or changed) that failed: a short note appears right after its row. */
  near?: HTMLElement | null;
}

/** How many times each problem box was filled: a late explanation never covers a newer problem. */
const shownCount = new WeakMap<HTMLElement, number>();

type Explain = (err: unknown, context?: ErrorContext) => Explanation;
/** The explanations (src/errors/explain.ts): loaded in idle time after the page starts, or by the first problem. */
let explain: Explain | null = null;
let explainLoad: Promise<Explain> | null = null;
function loadExplain(): Promise<Explain> {
  explainLoad ??= import('../errors/explain').then(
    (m) => (explain = m.explainError),
    (err: unknown) => {
      explainLoad = null; // the next problem tries again
      throw err;
    },
  );
  return explainLoad;
}
prefetchWhenIdle(loadExplain, 3000);

/** What a problem box shows until the explanations have loaded: the error's own name and message. */
function interim(err: unknown): Explanation {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; name?: unknown; message?: unknown };
  const name = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error';
  const raw = typeof e.message === 'string' ? e.message : typeof err === 'string' ? err : '';
  return { name, title: 'Something went wrong.', detail: 'Loading the explanation…', ...(raw ? { raw } : {}) };
}

const inlineNotes = new WeakMap<HTMLElement, { note: HTMLElement; control: HTMLElement }>();
let noteCount = 0;

function clearInlineNote(box: HTMLElement): void {
  const shown = inlineNotes.get(box);
  if (!shown) return;
  shown.note.remove();
  if (shown.control.getAttribute('aria-describedby') === shown.note.id) shown.control.removeAttribute('aria-describedby');
  inlineNotes.delete(box);
}

/**
 * Shows an error in a problem box (`<div class="problem" role="alert">`, announced by screen
 * readers, kept on screen by `position: sticky` in style.css): the error name, a title, the
 * explanation and the browser's raw message, and a Dismiss button. With `placement.near`, a short
 * note also appears right after the control that failed (linked by `aria-describedby`). Focus is
 * never moved: a learner typing somewhere keeps typing. Pass `null` to hide both.
 * The box gets `data-error="<name>"` so tests can read which error is shown.
 * @see https://developer.mozilla.org/en-US/docs/Web/Accessibility/ARIA/Roles/alert_role
 */
export function showProblem(box: HTMLElement, problem: Explanation | null, placement: ProblemPlacement = {}): void {
  shownCount.set(box, (shownCount.get(box) ?? 0) + 1);
  box.removeAttribute('aria-busy');
  box.replaceChildren();
  clearInlineNote(box);
  if (!problem) {
    box.hidden = true;
    delete box.dataset.error;
    return;
  }
  box.hidden = false;
  box.dataset.error = problem.name;
  const dismiss = h('button', { type: 'button', class: 'secondary problem-dismiss' }, 'Dismiss');
  dismiss.addEventListener('click', () => {
    box.hidden = true;
  });
  box.append(
    dismiss,
    h('strong', { class: 'problem-title' }, problem.title),
    ' ',
    h('code', { class: 'problem-name' }, problem.name),
    h('p', { class: 'problem-detail' }, problem.detail),
  );
  if (problem.raw) box.append(h('p', { class: 'problem-raw' }, `Browser message: ${problem.raw}`));
  const control = placement.near;
  if (control?.isConnected) {
    const note = h('p', { class: 'inline-problem', id: `inline-problem-${++noteCount}`, 'data-error': problem.name },
      h('strong', {}, `${problem.title} `), h('span', { class: 'inline-problem-detail' }, problem.detail));
    (control.closest('.row, p, label') ?? control).after(note);
    control.setAttribute('aria-describedby', note.id);
    inlineNotes.set(box, { note, control });
  }
  // Sticky keeps it on screen once shown; this also brings it in when the page is scrolled above it.
  box.scrollIntoView({ block: 'nearest', behavior: 'instant' });
}

/**
 * `explainError` (src/errors/explain.ts) then {@link showProblem}: the usual catch handler of a
 * page. The explanations are a chunk of their own, loaded in idle time once the page has started:
 * if a problem comes before they are there, the box shows the error's name and the browser's
 * message at once, marked `aria-busy="true"`, and the explanation a moment later (unless another
 * problem was shown meanwhile).
 * @see https://developer.mozilla.org/en-US/docs/Web/Accessibility/ARIA/Attributes/aria-busy
 * @returns the explanation shown (its `name` is final at once; its text may be the interim one).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/DOMException#error_names
 */
export function showError(box: HTMLElement, err: unknown, context?: ErrorContext, placement?: ProblemPlacement): Explanation {
  if (explain) {
    const problem = explain(err, context);
    showProblem(box, problem, placement);
    return problem;
  }
  const problem = interim(err);
  showProblem(box, problem, placement);
  // Screen readers (and tests) wait for the explanation that replaces the interim text.
  box.setAttribute('aria-busy', 'true');
  const shown = shownCount.get(box);
  loadExplain().then(
    (explainNow) => {
      if (shownCount.get(box) === shown) showProblem(box, explainNow(err, context), placement);
    },
    (loadErr: unknown) => {
      if (shownCount.get(box) === shown) box.removeAttribute('aria-busy');
      console.error('the explanations could not be loaded:', loadErr);
    },
  );
  return problem;
}

/** Sets `data-state` and the visible text of a state badge (tests read `data-state`). */
export function setState(el: HTMLElement, state: string, text: string = state): void {
  // Unchanged: no write, so the browser has nothing to restyle or lay out again.
  if (el.dataset.state !== state) el.dataset.state = state;
  if (el.textContent !== text) el.textContent = text;
}

/**
 * {@link setState} for a badge that follows a connection or call (signaling, ICE, connection and
 * call states): drawn at once, or while a call sets up, soon and once (see {@link showSoon}).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
 */
export function showState(el: HTMLElement, state: string, text: string = state): void {
  showSoon(el, () => setState(el, state, text));
}

/**
 * Sets the visible text of `el` (a caption, a summary sentence that follows the call): at once, or
 * while a call sets up, soon and once (see {@link showSoon}); no write when the text is unchanged.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Node/textContent
 */
export function showText(el: HTMLElement, text: string): void {
  showSoon(el, () => {
    if (el.textContent !== text) el.textContent = text;
  });
}

/** Pretty JSON for `<pre>` blocks (2-space indent). */
export function formatJSON(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * Copies `text` to the clipboard; resolves to whether it worked (the Clipboard API needs a secure
 * context and focus).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Clipboard/writeText
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    console.warn('clipboard write failed:', err);
    return false;
  }
}

type DebugHost = { playground?: Record<string, unknown> };

/**
 * Exposes `value` as `window.playground[name]`: the one explicit debug object that tests and
 * curious learners (in DevTools) may read. Nothing else is put on `window`.
 */
export function exposeDebug(name: string, value: unknown): void {
  const host = globalThis as DebugHost;
  host.playground ??= {};
  host.playground[name] = value;
}
