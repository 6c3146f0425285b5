import type { Store } from '../../src/store/types.js';

export interface HeldStore {
  readonly store: Store;
  /** From now on, assistant message writes (checkpoints, final messages) wait until `release()`. */
  hold(): void;
  /** Lets the held writes (and later ones) through. */
  release(): void;
}

/**
 * A real store whose assistant message writes the test can hold back: what a slow store,
 * a busy database or another process's timing does to a run's checkpoints, made
 * deterministic (docs/guarantees.md, "Durable history").
 */
export function holdableStore(inner: Store): HeldStore {
  let held: { promise: Promise<void>; release: () => void } | undefined;
  const messages: Store['messages'] = {
    addUser: (stored) => inner.messages.addUser(stored),
    async putAssistant(stored) {
      while (held) await held.promise;
      return inner.messages.putAssistant(stored);
    },
    mark: (id, mark) => inner.messages.mark(id, mark),
    get: (id) => inner.messages.get(id),
    page: (threadId, page) => inner.messages.page(threadId, page),
  };
  return {
    store: {
      engine: inner.engine,
      threads: inner.threads,
      messages,
      notes: inner.notes,
      health: () => inner.health(),
      deleteUser: (userId) => inner.deleteUser(userId),
      close: () => inner.close(),
    },
    hold() {
      if (held) return;
      let release = (): void => {};
      const promise = new Promise<void>((resolve) => (release = resolve));
      held = { promise, release };
    },
    release() {
      const current = held;
      held = undefined;
      current?.release();
    },
  };
}
