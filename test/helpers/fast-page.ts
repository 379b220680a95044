/**
 * Puppeteer's element queries, waits and clicks, each in one protocol round trip.
 *
 * `page.$eval` and `page.$$eval` take a handle to the element(s) and then call the function on it
 * (several round trips), `page.waitForFunction` installs a poller in the page and `page.click`
 * queries, scrolls, measures and moves the mouse in separate commands. Measured here on an idle
 * machine (per call, wall / CPU of the browser's main process):
 *
 * | call            | Firefox (WebDriver BiDi) | Chromium (CDP) |
 * |-----------------|--------------------------|----------------|
 * | page.evaluate   | 2.4 ms / 1.0 ms          | 1.9 ms / 0.5 ms |
 * | $eval           | 27 ms / 5 ms             | 16 ms / 3 ms    |
 * | $$eval          | 180 ms / 27 ms           | 37 ms / 7 ms    |
 * | waitForFunction | 50 ms / 5 ms             | 7 ms / 2 ms     |
 * | click           | 102 ms / 21 ms           | 44 ms / 8 ms    |
 *
 * A test drives hundreds of these (a step-mode call: ~40 clicks and a poll of both step lists
 * after each), so in Firefox they were most of a test's time. {@link fastPage} gives a page
 * versions that do the same in one `evaluate` (a click: one `evaluate` to find, scroll to and
 * measure the element, then one real mouse click at its centre, so the page still gets a trusted
 * click with user activation). Same results and the same errors for what the tests pass them;
 * anything else (element handles as arguments, puppeteer's own selector syntax, click options)
 * goes to puppeteer's own method.
 *
 * One difference: `waitForFunction` polls every 50 ms unless told otherwise (puppeteer: every
 * animation frame). A requestAnimationFrame loop makes Chromium draw a frame 60 times a second:
 * 0.07–0.08 of a core per waiting page against 0.01 for a 50 ms timer, measured on an idle page.
 */
import { JSHandle, type Page } from 'puppeteer';

/** How often `waitForFunction` checks its predicate when no `polling` is given (ms; see above). */
const DEFAULT_POLLING_MS = 50;

/** The source of a function passed to an evaluate call, as an expression (puppeteer's rules: arrows, `function`s and method shorthands). */
function functionSource(fn: unknown): string {
  if (typeof fn === 'string') return fn;
  if (typeof fn !== 'function') throw new TypeError('expected a function to run in the page');
  const text = fn.toString();
  // tsx prints `async()=>{...}` (no space) for test code.
  if (/^(async\s+)?function\b|^(async\s*)?\(|^(async\s+)?[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*\s*=>/u.test(text)) return text;
  // A method shorthand (`name() {}`): make it a function expression.
  return text.startsWith('async ') ? `async function ${text.slice(6)}` : `function ${text}`;
}

/** Arguments as JavaScript source, or null when one cannot cross as JSON (a handle, a function, a bigint...). */
function argumentSource(args: unknown[]): string | null {
  const out: string[] = [];
  for (const a of args) {
    if (a === undefined) {
      out.push('undefined');
      continue;
    }
    if (a instanceof JSHandle || typeof a === 'function' || typeof a === 'bigint' || typeof a === 'symbol') return null;
    if (typeof a === 'number' && !Number.isFinite(a)) return null;
    out.push(JSON.stringify(a));
  }
  return out.join(', ');
}

/** A selector puppeteer would read with its own syntax (`::-p-text()`, `aria/`, `>>>`...), not CSS. */
const PUPPETEER_SELECTOR = /::-p-|>>>?|^(aria|text|pierce|xpath)\//;

/** Errors of an evaluation that ended because the page navigated or reloaded: a wait starts again in the new document. */
const NAVIGATED = /Execution context was destroyed|Cannot find context|context.*(discarded|destroyed)|no such (frame|realm|handle)|Inspected target navigated|Target closed|realm.*(not found|destroyed)/i;

/**
 * Gives `page` one-round-trip versions of `$eval`, `$$eval`, `waitForFunction` and `click` (own
 * properties that shadow puppeteer's), and returns it. See the module comment for why and for
 * what still goes to puppeteer.
 */
export function fastPage(page: Page): Page {
  const original = {
    $eval: page.$eval.bind(page),
    $$eval: page.$$eval.bind(page),
    waitForFunction: page.waitForFunction.bind(page),
    click: page.click.bind(page),
  };

  const $eval = (selector: string, fn: unknown, ...args: unknown[]): Promise<unknown> => {
    const a = argumentSource(args);
    if (a === null || PUPPETEER_SELECTOR.test(selector)) return (original.$eval as (...x: unknown[]) => Promise<unknown>)(selector, fn, ...args);
    const sel = JSON.stringify(selector);
    return page.evaluate(`(() => {
      const el = document.querySelector(${sel});
      if (!el) throw new Error('failed to find element matching selector ' + ${JSON.stringify(sel)});
      return (${functionSource(fn)})(el${a ? `, ${a}` : ''});
    })()`);
  };

  const $$eval = (selector: string, fn: unknown, ...args: unknown[]): Promise<unknown> => {
    const a = argumentSource(args);
    if (a === null || PUPPETEER_SELECTOR.test(selector)) return (original.$$eval as (...x: unknown[]) => Promise<unknown>)(selector, fn, ...args);
    return page.evaluate(`(${functionSource(fn)})([...document.querySelectorAll(${JSON.stringify(selector)})]${a ? `, ${a}` : ''})`);
  };

  const waitForFunction = async (fn: unknown, options: { timeout?: number; polling?: number | 'raf' | 'mutation' } = {}, ...args: unknown[]): Promise<unknown> => {
    const a = argumentSource(args);
    const polling = options.polling ?? DEFAULT_POLLING_MS;
    if (a === null || polling === 'mutation') return (original.waitForFunction as (...x: unknown[]) => Promise<unknown>)(fn, options, ...args);
    const timeout = options.timeout ?? page.getDefaultTimeout();
    const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
    const next = polling === 'raf' ? 'requestAnimationFrame(tick)' : `setTimeout(tick, ${Number(polling)})`;
    for (;;) {
      const left = deadline - Date.now();
      // The page polls (as puppeteer's own poller does) and answers once: true, or a timeout.
      const source = `new Promise((resolve, reject) => {
        const predicate = (${functionSource(fn)});
        const end = ${Number.isFinite(left) ? `performance.now() + ${Math.max(0, left)}` : 'Infinity'};
        const tick = async () => {
          let value;
          try { value = await predicate(${a}); } catch (err) { reject(err); return; }
          if (value) { resolve(value); return; }
          if (performance.now() >= end) { resolve(undefined); return; }
          ${next};
        };
        tick();
      })`;
      try {
        const handle = await page.evaluateHandle(source);
        // undefined: the page's own clock ran out.
        if ((await handle.evaluate((v) => v === undefined)) === false) return handle;
        await handle.dispose();
        throw new Error(`Waiting failed: ${timeout}ms exceeded`);
      } catch (err) {
        // A navigation ended the evaluation: wait again in the new document, as puppeteer does.
        if (!NAVIGATED.test(String(err)) || Date.now() >= deadline) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };

  const click = async (selector: string, options?: object): Promise<void> => {
    if ((options && Object.keys(options).length > 0) || PUPPETEER_SELECTOR.test(selector)) return original.click(selector, options);
    const point = await page.evaluate(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return 'none';
      const inView = (r) => r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      if (!inView(el.getBoundingClientRect())) el.scrollIntoView({ block: 'center', inline: 'center' });
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return 'hidden';
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`) as 'none' | 'hidden' | { x: number; y: number };
    if (point === 'none') throw new Error(`No element found for selector: ${selector}`);
    if (point === 'hidden') throw new Error('Node is either not clickable or not an Element');
    await page.mouse.click(point.x, point.y);
  };

  // The same signatures as puppeteer's (generic overloads that a plain function cannot spell).
  Object.assign(page, {
    $eval: $eval as unknown as Page['$eval'],
    $$eval: $$eval as unknown as Page['$$eval'],
    waitForFunction: waitForFunction as unknown as Page['waitForFunction'],
    click: click as unknown as Page['click'],
  });
  return page;
}
