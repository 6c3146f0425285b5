import type { Bus } from '../bus/types.js';
import type { Logger } from '../logger.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { UserContext } from './user-context.js';
import { UserScope, type ScopeHistory, type ScopeHooks } from './user-scope.js';

/**
 * The one factory of user scopes. A scope lives while its user has sockets or runs, and
 * for `idleMs` after; then it is released and the engine frees what it held for the user.
 */
export class ScopeRegistry {
  private readonly scopes = new Map<string, UserScope>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  /** One hooks object for every scope, not one (and a closure) per user. */
  private readonly hooks: ScopeHooks = { onMaybeIdle: (scope) => this.scheduleRelease(scope) };

  constructor(
    private readonly bus: Bus,
    private readonly history: ScopeHistory,
    private readonly idleMs: number,
    private readonly logger: Logger,
  ) {}

  /** The scope of `context.userId`, created on first use. */
  scopeFor(context: UserContext): UserScope {
    const { userId } = context;
    this.cancelRelease(userId);
    let scope = this.scopes.get(userId);
    if (!scope) {
      scope = new UserScope(userId, this.bus, this.history, this.hooks);
      this.scopes.set(userId, scope);
    }
    return scope;
  }

  get(userId: string): UserScope | undefined {
    return this.scopes.get(userId);
  }

  /** Closes this process's sockets of `userId` with 4001 (gateway.disconnectUser); creates no scope. */
  disconnectLocal(userId: string): void {
    const scope = this.scopes.get(userId);
    if (!scope) return;
    for (const connection of [...scope.connections]) connection.close(CloseCode.tokenExpired, 'session ended');
  }

  get size(): number {
    return this.scopes.size;
  }

  all(): IterableIterator<UserScope> {
    return this.scopes.values();
  }

  close(): void {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    for (const scope of this.scopes.values()) scope.dispose();
    this.scopes.clear();
  }

  private scheduleRelease(scope: UserScope): void {
    if (!scope.idle || this.idleTimers.has(scope.userId)) return;
    const timer = setTimeout(() => this.release(scope), this.idleMs);
    timer.unref();
    this.idleTimers.set(scope.userId, timer);
  }

  private cancelRelease(userId: string): void {
    const timer = this.idleTimers.get(userId);
    if (timer) {
      clearTimeout(timer);
      this.idleTimers.delete(userId);
    }
  }

  private release(scope: UserScope): void {
    this.idleTimers.delete(scope.userId);
    if (!scope.idle || this.scopes.get(scope.userId) !== scope) return;
    this.scopes.delete(scope.userId);
    scope.dispose();
    this.bus.releaseUser(scope.userId);
    this.logger.debug({ user: scope.userId }, 'idle scope released');
  }
}
