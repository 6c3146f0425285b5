/**
 * Runs the tasks given for one key one after the other, in the order given; tasks of
 * different keys run side by side. A key is forgotten once its last task settles.
 */
export class KeyedSerial {
  /** Made on first use and dropped when empty: a user's scope holds one, and most never run anything. */
  private tails: Map<string, Promise<unknown>> | undefined;

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const tails = (this.tails ??= new Map());
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) !== tail) return;
      tails.delete(key);
      if (tails.size === 0 && this.tails === tails) this.tails = undefined;
    });
    return result;
  }
}
