/**
 * A checked `value!` for tests: returns `value`, or fails the test saying what was missing.
 * (The linter forbids non-null assertions: a missing element should fail with a message, not a TypeError.)
 */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, got ${String(value)}`);
  return value;
}
