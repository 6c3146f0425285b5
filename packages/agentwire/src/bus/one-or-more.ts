/**
 * A set that holds its first member in a field and makes a `Set` only for a second one:
 * most users have one socket and most streams one listener, and an empty or one-member
 * `Set` costs ~120 bytes on every idle connection (issue 19, "Idle memory").
 * Iterating while members are added or removed sees a consistent snapshot or the live set,
 * as a `Set` does; `forEach` is the hot path's walk (no iterator or closure per call).
 */
export class OneOrMore<T> implements Iterable<T> {
  private single: T | undefined;
  private many: Set<T> | undefined;

  get size(): number {
    return this.many ? this.many.size : this.single === undefined ? 0 : 1;
  }

  add(member: T): void {
    if (this.many) {
      this.many.add(member);
    } else if (this.single === undefined || this.single === member) {
      this.single = member;
    } else {
      this.many = new Set([this.single, member]);
      this.single = undefined;
    }
  }

  /** True when `member` was held. Back to one field when one member is left. */
  delete(member: T): boolean {
    const { many } = this;
    if (!many) {
      if (this.single !== member || member === undefined) return false;
      this.single = undefined;
      return true;
    }
    const deleted = many.delete(member);
    if (many.size <= 1) {
      this.many = undefined;
      for (const last of many) this.single = last;
    }
    return deleted;
  }

  has(member: T): boolean {
    return this.many ? this.many.has(member) : member !== undefined && this.single === member;
  }

  /** Calls `visit(member, a, b)` for every member, in insertion order. */
  forEach<A, B>(visit: (member: T, a: A, b: B) => void, a: A, b: B): void {
    if (this.many) {
      for (const member of this.many) visit(member, a, b);
    } else if (this.single !== undefined) {
      visit(this.single, a, b);
    }
  }

  [Symbol.iterator](): Iterator<T> {
    if (this.many) return this.many.values();
    return (this.single === undefined ? [] : [this.single]).values();
  }
}
