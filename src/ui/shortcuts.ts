/**
 * Keyboard shortcuts of the step-by-step pages: → (ArrowRight) or Space runs the next step, so an
 * instructor can step through a call from a presenter remote or the keyboard. Keys typed into a
 * text field, or pressed on a focused control (where Space already means "press this"), are left
 * alone.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/KeyboardEvent/key
 */

const OWN_KEYS = 'input, textarea, select, button, summary, a[href], [contenteditable=""], [contenteditable="true"], [role="radio"], [role="button"]';

/**
 * The button a shortcut presses: among enabled, visible `buttons`, the one whose next step comes
 * first (`data-next-step`, set by the steps panel), else the first enabled one; null when none is.
 */
export function nextStepButton(buttons: readonly HTMLButtonElement[]): HTMLButtonElement | null {
  const ready = buttons.filter((b) => !b.disabled && b.offsetParent !== null);
  ready.sort((a, b) => Number(a.dataset.nextStep ?? Infinity) - Number(b.dataset.nextStep ?? Infinity));
  return ready[0] ?? null;
}

/**
 * Listens for → and Space on the page and clicks {@link nextStepButton} of `buttons`. Each button
 * gets `aria-keyshortcuts`.
 * @returns a function that removes the listener.
 */
export function bindNextStepKeys(buttons: readonly HTMLButtonElement[]): () => void {
  for (const b of buttons) b.setAttribute('aria-keyshortcuts', 'ArrowRight Space');
  const onKey = (ev: KeyboardEvent) => {
    if (ev.key !== 'ArrowRight' && ev.key !== ' ') return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.repeat) return;
    const target = ev.target instanceof Element ? ev.target : null;
    if (target?.closest(OWN_KEYS)) return;
    // While a step-by-step call runs (a button knows its next step), the keys belong to it: a key
    // pressed while waiting for the other side does nothing rather than scroll the page away.
    if (!buttons.some((b) => b.dataset.nextStep !== undefined && b.offsetParent !== null)) return;
    ev.preventDefault();
    nextStepButton(buttons)?.click();
  };
  addEventListener('keydown', onKey);
  return () => removeEventListener('keydown', onKey);
}
