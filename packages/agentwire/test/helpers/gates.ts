/**
 * Named gates a test opens when it is ready, so that an agent or a store write waits on the
 * test's word instead of on timing luck (no sleep-and-hope, see test/helpers/wait.ts).
 */
export class Gates {
  private readonly gates = new Map<string, { promise: Promise<void>; open: () => void }>();

  /** Resolves once `name` is opened (at once if it already was). */
  wait(name: string): Promise<void> {
    return this.gate(name).promise;
  }

  open(name: string): void {
    this.gate(name).open();
  }

  private gate(name: string): { promise: Promise<void>; open: () => void } {
    let gate = this.gates.get(name);
    if (!gate) {
      let open = (): void => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
      this.gates.set(name, gate);
    }
    return gate;
  }
}
