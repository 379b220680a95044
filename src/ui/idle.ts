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

/** Requests that wait for the hold to end, while a call sets up (null: no hold). */
let held: (() => void)[] | null = null;
/** Holds not yet released. */
let holds = 0;
/** Display updates waiting during a hold (see {@link showSoon}): the latest one per target. */
const deferred = new Map<object, () => void>();
/** Shows the deferred updates at the latest {@link DEFERRED_UPDATE_MAX_MS} after the first of them. */
let deferredTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Longest a display update made during a hold waits, ms (see {@link showSoon}): a call that sets up
 * within it (two browsers on one LAN: 100–150 ms) redraws its state badges once, a slower one (a TURN
 * relay) every this many ms, so what a learner sees is never older than this.
 */
export const DEFERRED_UPDATE_MAX_MS = 250;

/**
 * Longest a hold lasts when nobody releases it, ms: a call that takes longer to connect (a slow
 * network, a TURN relay, a failure) shows its display work after this.
 */
export const DISPLAY_HOLD_MAX_MS = 2000;

/**
 * Holds the display work of a page while a call sets up, so the browser's main thread is free for
 * the negotiation (signaling messages, WebRTC events) and the call connects sooner:
 * - every {@link whenIdle} request made meanwhile (the inspector's drawing, measuring scroll boxes,
 *   the codec card's m= line) waits, and is made once the hold ends: what a learner sees comes a
 *   few hundred ms later, all of it;
 * - the document element has `data-call-setup`, with which style.css skips the rendering of cards
 *   out of view (`content-visibility: auto`; a card that comes into view is rendered as always).
 *
 * Holds nest: the work waits until every hold is released, each at the latest after `maxMs` ms.
 * Step mode holds nothing: there the learner makes each step and watches what it does.
 * @returns the release (call it once both sides are connected, or the call has ended); calling it
 *   again does nothing.
 * @see https://developer.mozilla.org/en-US/docs/Web/CSS/content-visibility
 */
export function holdDisplay(maxMs = DISPLAY_HOLD_MAX_MS): () => void {
  holds++;
  held ??= [];
  document.documentElement.dataset.callSetup = '';
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    if (--holds > 0) return;
    const waiting = held ?? [];
    held = null;
    delete document.documentElement.dataset.callSetup;
    showDeferred();
    for (const request of waiting) request();
  };
  const timer = setTimeout(release, maxMs);
  return release;
}

/**
 * Applies a display update (`update`, which redraws `target`, e.g. a state badge) now, or while a
 * call sets up ({@link holdDisplay}) soon: when the hold ends, at the latest
 * {@link DEFERRED_UPDATE_MAX_MS} ms after the first update that waited; of several updates of one
 * target only the latest is applied (a badge that went new → checking → connected meanwhile is
 * drawn once, as connected).
 *
 * Why: every change to the page makes the browser render a frame (style, layout, paint) on the main
 * thread, 3–10 ms each on a busy 2-core machine, and a call's setup changes a state badge a dozen
 * times in 100 ms. Those frames delay the WebRTC events and signaling messages queued behind them;
 * drawn once at the end, the call connects sooner. The inspector's sequence diagram shows every
 * change afterwards, and step mode (no hold) draws each one as it happens.
 * Not for what the user acts on (buttons, errors): those are drawn at once.
 */
export function showSoon(target: object, update: () => void): void {
  if (!held) {
    update();
    return;
  }
  deferred.delete(target); // re-inserted last: updates are applied in the order of their latest change
  deferred.set(target, update);
  deferredTimer ??= setTimeout(showDeferred, DEFERRED_UPDATE_MAX_MS);
}

/** Applies the updates {@link showSoon} deferred, in order. */
function showDeferred(): void {
  clearTimeout(deferredTimer);
  deferredTimer = undefined;
  const updates = [...deferred.values()];
  deferred.clear();
  for (const update of updates) update();
}

/**
 * Runs `fn` once in the next idle period, at the latest after `timeoutMs` ms (`requestIdleCallback`;
 * where it is missing, as in Safari, a `setTimeout` of 1 ms with a 5 ms budget). While a call sets
 * up ({@link holdDisplay}) the request waits until the hold ends, and one that comes due during a
 * hold is made again after it.
 * @returns a function that cancels the call if it has not run yet.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/requestIdleCallback
 */
export function whenIdle(fn: (idle: IdleTime) => void, timeoutMs = 250): () => void {
  let cancel: () => void = () => undefined;
  let cancelled = false;
  const request = () => {
    if (cancelled) return;
    cancel = idleCallback((idle) => {
      // A call started setting up meanwhile (see holdDisplay): the request is made again after it.
      if (held) held.push(request);
      else fn(idle);
    }, timeoutMs);
  };
  if (held) held.push(request);
  else request();
  return () => {
    cancelled = true;
    cancel();
  };
}

/**
 * Collects items and hands them to `draw` in the next idle time, all that came since the last
 * drawing at once, in order ({@link whenIdle}: it waits while a call sets up). For display work
 * fed from a call's signal path (each ICE candidate or description), which must not wait for it.
 * @param timeoutMs at the latest this many ms after the first item of a batch (default 250).
 * @returns the function that adds one item.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/requestIdleCallback
 */
export function batchWhenIdle<T>(draw: (items: T[]) => void, timeoutMs = 250): (item: T) => void {
  let queued: T[] = [];
  const flush = () => {
    const items = queued;
    queued = [];
    draw(items);
  };
  return (item) => {
    if (queued.push(item) === 1) whenIdle(flush, timeoutMs);
  };
}

/** `requestIdleCallback`, or where it is missing a 1 ms `setTimeout` with a 5 ms budget; returns the cancel. */
function idleCallback(fn: (idle: IdleTime) => void, timeoutMs: number): () => void {
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

/**
 * Resolves once `video` has presented its next frame (`requestVideoFrameCallback`, where the
 * browser has it; else its next `timeupdate`), or after `maxMs` ms, whichever comes first: e.g. a
 * remote video's first frame after a call connects. Never rejects.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLVideoElement/requestVideoFrameCallback
 */
export function nextVideoFrame(video: HTMLVideoElement, maxMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, maxMs);
    function done(): void {
      clearTimeout(timer);
      video.removeEventListener('timeupdate', done);
      resolve();
    }
    if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(done);
    else video.addEventListener('timeupdate', done);
  });
}
