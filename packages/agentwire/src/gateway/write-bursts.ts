/** A socket whose frames of this tick may be corked: told once the emitting code has returned. */
export interface BurstWriter {
  endBurst(): void;
}

/**
 * The sockets written to in this tick, for the whole gateway: their bursts all end in one
 * `process.nextTick`, scheduled by the first write of the tick. One callback per socket
 * and event instead cost a tick object per delivered event at 5,000 users (issue 19,
 * "per-socket bookkeeping"), and a closure per idle connection.
 */
export class WriteBursts {
  private readonly writers: BurstWriter[] = [];
  private scheduled = false;
  private readonly endAll = (): void => {
    const { writers } = this;
    // By index: a writer that starts a burst while these end is ended in this same pass.
    for (let i = 0; i < writers.length; i++) writers[i]!.endBurst();
    writers.length = 0;
    this.scheduled = false;
  };

  /** `writer` started a burst: its `endBurst` runs once the code that wrote returns. */
  join(writer: BurstWriter): void {
    this.writers.push(writer);
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.endAll);
  }
}
