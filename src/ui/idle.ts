/**
 * Work that is not on a call's critical path (rendering the inspector, measuring scroll boxes)
 * runs in the browser's idle time, so a signaling message or a WebRTC event never waits behind it.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/requestIdleCallback
 * @see https://w3c.github.io/requestidlecallback/
 */

/**
 * How much idle time is left (ms) and whether the callback ran because its timeout passed.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/IdleDeadline
 */
export interface IdleTime {
  /** ms left in this idle period (0 once it is over; a few ms when the timeout forced the call). */
  timeRemaining(): number;
  /** True when the callback runs because `timeoutMs` passed, not because the browser was idle. */
  readonly didTimeout: boolean;
}

/**
 * Runs `fn` once in the next idle period, at the latest after `timeoutMs` ms (`requestIdleCallback`;
 * where it is missing, as in Safari, a `setTimeout` of 1 ms with a 5 ms budget).
 * @returns a function that cancels the call if it has not run yet.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/requestIdleCallback
 */
export function whenIdle(fn: (idle: IdleTime) => void, timeoutMs = 250): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  const t0 = performance.now();
  const timer = setTimeout(() => fn({ timeRemaining: () => Math.max(0, 5 - (performance.now() - t0 - 1)), didTimeout: false }), 1);
  return () => clearTimeout(timer);
}

/**
 * Starts `load` (a dynamic `import()` of a page part) in the next idle period, at the latest after
 * `timeoutMs` ms, so the part is there before the user needs it. A failed prefetch (the user is
 * leaving the page mid-download, the network dropped) is not the user's problem yet and is only
 * logged at debug level: the first real use downloads again and explains its own failure on the page.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 */
export function prefetchWhenIdle(load: () => Promise<unknown>, timeoutMs: number): void {
  whenIdle(() => {
    load().catch((err: unknown) => console.debug('prefetch failed; the first use loads again:', err));
  }, timeoutMs);
}
