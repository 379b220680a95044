/**
 * A small typed event emitter, modelled on mediasoup-client's `EnhancedEventEmitter`:
 * events are declared once as a map from event name to the tuple of its arguments.
 *
 * @example
 * ```ts
 * type Events = { open: []; message: [text: string] };
 * const e = new Emitter<Events>();
 * e.on('message', (text) => console.log(text));
 * e.emit('message', 'hi');
 * ```
 */

/** A map from event name to the tuple of arguments its listeners receive. */
export type EventMap = Record<string, unknown[]>;

/** A listener for the event `K` of the map `E`. */
export type Listener<E extends EventMap, K extends keyof E> = (...args: E[K]) => void;

/**
 * Typed event emitter. Listeners run synchronously, in the order they were added; a listener
 * that throws does not stop the others (the error is reported with `reportError` where it exists).
 */
export class Emitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<Listener<E, keyof E>>>();

  /**
   * Adds `listener` for `event`.
   * @returns a function that removes the listener again.
   */
  on<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<E, keyof E>);
    return () => this.off(event, listener);
  }

  /** Adds `listener` for the next `event` only. @returns a function that removes it. */
  once<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes `listener` from `event`; does nothing when it was not added. */
  off<K extends keyof E>(event: K, listener: Listener<E, K>): void {
    this.#listeners.get(event)?.delete(listener as Listener<E, keyof E>);
  }

  /** Calls every listener of `event` with `args`. @returns whether any listener was called. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        reportListenerError(err);
      }
    }
    return true;
  }

  /** Removes every listener of every event. */
  removeAllListeners(): void {
    this.#listeners.clear();
  }
}

function reportListenerError(err: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === 'function') g.reportError(err);
  else queueMicrotask(() => { throw err; });
}
