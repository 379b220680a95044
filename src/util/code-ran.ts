/**
 * "This code just ran": the tiny notifications behind each page's "How it works" panel.
 *
 * A module marks a function with `// @show <key>` (its source text is extracted at build time, see
 * `src/build/source-text.mjs`) and wraps it with {@link shown} under the same key. Every call then
 * reports here, with its result or error, and the panel (loaded later, with a dynamic `import()`)
 * lights up the entry of that key. Runs that happen before the panel loads are kept and replayed.
 * This file is in every page's first bundle: keep it small and free of UI code.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API
 */

/**
 * One finished call of a shown function.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Performance/now
 */
export interface CodeRun {
  /** The `// @show` key of the function that ran. */
  key: string;
  /** False when it threw or its promise rejected. */
  ok: boolean;
  /** Its return value (resolved value for a promise), or the error when `ok` is false. */
  result: unknown;
  /** When it finished, `performance.now()` ms. */
  at: number;
}

/** A function that may be shown: any function (arguments are not inspected). */
// oxlint-disable-next-line typescript/no-explicit-any -- the wrapper is generic over every function shape
type AnyFunction = (...args: any[]) => unknown;

const KEEP = 50;
const runs: CodeRun[] = [];
const listeners = new Set<(run: CodeRun) => void>();
const running = new Map<string, AnyFunction>();

/**
 * Reports that the function shown under `key` finished (called by {@link shown}; call it directly
 * for code that is not a plain function, e.g. a step of the step-by-step call).
 * @param key the `// @show` key.
 * @param result the return value, or the error when `ok` is false.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Performance/now
 */
export function codeRan(key: string, result: unknown, ok = true): void {
  const run: CodeRun = { key, ok, result, at: performance.now() };
  runs.push(run);
  if (runs.length > KEEP) runs.shift();
  for (const listener of listeners) listener(run);
}

/**
 * Calls `listener` for every run so far (oldest first, at most the last 50) and every later one.
 * @returns a function that stops the calls.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/EventTarget/addEventListener
 */
export function onCodeRan(listener: (run: CodeRun) => void): () => void {
  for (const run of [...runs]) listener(run);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Wraps `fn` so that each call reports to {@link codeRan} under `key` when it returns or throws
 * (when its promise settles, for an async function). Arguments, `this`, the return value and
 * errors pass through unchanged. Remembers `fn` itself as the code that runs for `key`
 * ({@link runningSource}).
 * @param key the same key as the `// @show` marker right above `fn`.
 * @throws TypeError when `fn` is not a function.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Function/apply
 */
export function shown<F extends AnyFunction>(key: string, fn: F): F {
  if (typeof fn !== 'function') throw new TypeError(`shown(${key}): not a function`);
  running.set(key, fn);
  return function (this: unknown, ...args: unknown[]): unknown {
    let value: unknown;
    try {
      value = fn.apply(this, args);
    } catch (err) {
      codeRan(key, err, false);
      throw err;
    }
    if (value instanceof Promise) {
      return value.then(
        (v: unknown) => {
          codeRan(key, v);
          return v;
        },
        (err: unknown) => {
          codeRan(key, err, false);
          throw err;
        },
      );
    }
    codeRan(key, value);
    return value;
  } as F;
}

/**
 * The source of the function that really runs for `key`, as the JavaScript engine holds it
 * (`Function.prototype.toString()` of the bundled code), or `undefined` for an unknown key. Tests
 * compare it with the text the panel shows.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Function/toString
 */
export function runningSource(key: string): string | undefined {
  return running.get(key)?.toString();
}
