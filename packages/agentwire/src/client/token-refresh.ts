import type { WireErrorCode } from '../protocol/types.js';

/** Refresh no earlier than this before `exp`… */
const MAX_LEAD_MS = 60_000;
/** …and, for short-lived tokens, once this share of the lifetime is left (so a 2 s token is not refreshed at once). */
const LEAD_SHARE = 0.2;

/**
 * `exp` and `iat` of a JWT, in ms, read without verification: only to schedule the refresh.
 * The server verifies every token it is given; a client that misreads its own token only
 * refreshes at the wrong time and falls back to reconnecting at 4001.
 */
export function tokenTimes(token: string): { expMs: number; iatMs: number | undefined } | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))) as { exp?: unknown; iat?: unknown };
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return undefined;
    return { expMs: claims.exp * 1000, iatMs: typeof claims.iat === 'number' ? claims.iat * 1000 : undefined };
  } catch {
    return undefined;
  }
}

/** When to refresh a token: 60 s before `exp`, or with 20% of its lifetime left if that is shorter. 0: now. */
export function refreshDelayMs(token: string, nowMs: number): number | undefined {
  const times = tokenTimes(token);
  if (!times) return undefined;
  const start = times.iatMs !== undefined && times.iatMs <= nowMs ? times.iatMs : nowMs;
  const lead = Math.min(MAX_LEAD_MS, LEAD_SHARE * Math.max(0, times.expMs - start));
  return Math.max(0, times.expMs - lead - nowMs);
}

export interface RefreshHooks {
  /** A fresh token from the app (`getToken`); throws when the app cannot give one. */
  getToken(): Promise<string>;
  /** Writes a frame on the open socket; false when there is none. */
  send(frame: { type: 'refresh'; token: string }): boolean;
  /** The server accepted the token: the client's reconnects use it from now on. */
  adopt(token: string): void;
  /** The refresh failed (reported, not fatal: the socket closes 4001 at `exp` and the client reconnects). */
  failed(reason: string): void;
}

/**
 * Renews the open connection's token in band (`refresh` / `refreshed`, protocol 1.1) ahead of
 * its `exp`, so a long-lived connection is not closed 4001 and reconnected. One refresh at a
 * time; any failure leaves the old expiry in place, and the client's 4001 path takes over.
 */
export class TokenRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The token sent and not yet answered, with the exp it replaces. */
  private pending: { token: string; previousExpMs: number } | undefined;
  /** Bumped by stop() and by each refresh, so a getToken answer that arrives late is dropped. */
  private generation = 0;

  constructor(
    private readonly hooks: RefreshHooks,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Arms the timer for the connection's token (on `connection_established`, and after each refresh). */
  schedule(token: string | undefined): void {
    this.stop();
    const delay = token === undefined ? undefined : refreshDelayMs(token, this.nowMs());
    const expMs = token === undefined ? undefined : tokenTimes(token)?.expMs;
    if (delay === undefined || expMs === undefined) return;
    this.timer = setTimeout(() => void this.refresh(expMs), delay);
  }

  /** The socket is gone or the client closed: nothing pending survives it. */
  stop(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  /** A `refreshed` reply: adopt the token and plan the next refresh. */
  refreshed(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.hooks.adopt(pending.token);
    // A token that does not outlive the old one would be refreshed again at once, in a loop.
    if ((tokenTimes(pending.token)?.expMs ?? 0) > pending.previousExpMs) this.schedule(pending.token);
  }

  /**
   * An `error` reply without ids while a refresh is pending: `unauthorized` (the new token was
   * refused) or `unsupported_frame` (a server before protocol 1.1). True when it was the refresh's.
   */
  rejected(code: WireErrorCode, message: string): boolean {
    if (!this.pending || (code !== 'unauthorized' && code !== 'unsupported_frame')) return false;
    this.pending = undefined;
    this.hooks.failed(`refresh refused (${code}): ${message}`);
    return true;
  }

  private async refresh(previousExpMs: number): Promise<void> {
    this.timer = undefined;
    const generation = ++this.generation;
    let token: string;
    try {
      token = await this.hooks.getToken();
    } catch (error) {
      this.hooks.failed(`getToken failed: ${String(error)}`);
      return;
    }
    // The socket this refresh was for may be gone (stop) while the app fetched the token.
    if (generation !== this.generation || this.pending) return;
    this.pending = { token, previousExpMs };
    if (!this.hooks.send({ type: 'refresh', token })) this.pending = undefined;
  }
}
