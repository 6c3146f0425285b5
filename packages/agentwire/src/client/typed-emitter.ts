/** A listener map keyed by event name; each value is the listener's single argument. */
export type EventMap = Record<string, unknown>;

type Listener<T> = (payload: T) => void;

/**
 * A tiny event emitter typed by an event map, identical in browsers and Node (no
 * dependency on `node:events`). A listener that throws does not stop the others: the
 * error is reported to `onListenerError`.
 */
export class TypedEmitter<M extends EventMap> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown) => void = reportAsync) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof M>(event: K, listener: Listener<M[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  listenerCount(event: keyof M): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<M[K]>)(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

/** Rethrows outside the emitting call so a bad listener is visible but cannot break delivery. */
function reportAsync(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
