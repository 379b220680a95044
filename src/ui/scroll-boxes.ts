/**
 * Keeps every box that scrolls on its own (SDP, JSON, tables, the sequence diagram, the chat log)
 * reachable by keyboard: while a box's content is larger than the box, it gets `tabindex="0"`
 * (arrow keys then scroll it), a `region` role and a name, so keyboard and screen-reader users can
 * reach what a mouse user scrolls. A box that fits loses them again (no useless tab stops).
 *
 * @see https://www.w3.org/WAI/WCAG22/Understanding/keyboard.html
 * @see https://dequeuniversity.com/rules/axe/4.10/scrollable-region-focusable
 */

import { whenIdle } from './idle';

/** Elements that may scroll inside the page (CSS `overflow: auto` in style.css). */
export const SCROLL_BOX_SELECTOR = 'pre, .scroll-x, .seq, .message-detail, .chat-log, .step-detail';

/** The text of the nearest heading before `from` (in document order, climbing up), and that heading. */
function headingBefore(from: Element, below = 7): HTMLElement | null {
  let node: Element | null = from;
  while (node && node !== document.body) {
    for (let prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
      const level = /^H([1-6])$/.exec(prev.tagName);
      if (level && Number(level[1]) < below && prev instanceof HTMLElement) return prev;
    }
    node = node.parentElement;
  }
  return null;
}

/**
 * The name a scroll box is announced with: its own label, else the nearest heading before it plus
 * the next higher heading, e.g. "audio track: getSettings() (scrollable)".
 */
function nameOf(box: HTMLElement): string {
  const own = box.getAttribute('aria-label');
  if (own) return own;
  const near = headingBefore(box);
  if (!near) return 'Scrollable content';
  const outer = headingBefore(near, Number(near.tagName.slice(1)));
  const text = (el: HTMLElement) => (el.textContent ?? '').trim();
  return `${outer && !/^H1$/.test(outer.tagName) ? `${text(outer)}: ` : ''}${text(near)} (scrollable)`;
}

/** Marks or unmarks one box after measuring it. */
function update(box: HTMLElement, names: Set<string>): void {
  const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
  const marked = box.dataset.scrollbox === 'on';
  if (scrolls === marked) return;
  if (scrolls) {
    box.dataset.scrollbox = 'on';
    if (!box.hasAttribute('tabindex')) box.tabIndex = 0;
    if (!box.hasAttribute('role')) box.setAttribute('role', 'region');
    if (!box.hasAttribute('aria-label') && !box.hasAttribute('aria-labelledby')) {
      // Region names must differ from each other (two tracks both have a getSettings() box).
      let name = nameOf(box);
      for (let n = 2; names.has(name); n++) name = `${nameOf(box)} ${n}`;
      names.add(name);
      box.setAttribute('aria-label', name);
      box.dataset.scrollboxNamed = '';
    }
    return;
  }
  delete box.dataset.scrollbox;
  if (box.getAttribute('tabindex') === '0' && box !== document.activeElement) box.removeAttribute('tabindex');
  if (box.getAttribute('role') === 'region') box.removeAttribute('role');
  if (box.dataset.scrollboxNamed !== undefined) {
    box.removeAttribute('aria-label');
    delete box.dataset.scrollboxNamed;
  }
}

/**
 * Watches `root` (DOM changes and window resizes, measured in idle time, at most 500 ms later) and
 * keeps its scroll boxes keyboard-reachable. While a measurement waits, the document element has
 * `data-scrollboxes="pending"`, then `"done"` (tests check accessibility once it is done).
 * @returns a function that stops watching.
 */
export function keepScrollBoxesReachable(root: HTMLElement = document.documentElement): () => void {
  let queued = false;
  // `data-scrollboxes` on the document element: "pending" while a check waits for idle time, "done"
  // after it (tests wait for "done" before an accessibility check).
  const status = document.documentElement.dataset;
  const check = () => {
    queued = false;
    const boxes = [...root.querySelectorAll<HTMLElement>(SCROLL_BOX_SELECTOR)];
    const names = new Set(boxes.map((b) => b.getAttribute('aria-label') ?? '').filter(Boolean));
    for (const box of boxes) update(box, names);
    if (!queued) status.scrollboxes = 'done';
  };
  const schedule = () => {
    if (queued) return;
    queued = true;
    status.scrollboxes = 'pending';
    // Idle time, not the next frame: measuring forces a layout, which must not delay a call's setup.
    whenIdle(check, 500);
  };
  const observer = new MutationObserver(schedule);
  observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['hidden', 'open', 'class'] });
  addEventListener('resize', schedule);
  check();
  return () => {
    observer.disconnect();
    removeEventListener('resize', schedule);
  };
}
