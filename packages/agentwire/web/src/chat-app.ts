import { connect, type AgentwireClient, type ConnectionState, type StateChange, type StreamEvent, type ThreadSummary } from '../../src/client.js';
import { AgentLabels } from './agent-labels.js';
import * as api from './api.js';
import { Composer } from './composer.js';
import { formatDuration, h } from './dom.js';
import { asThreadChange } from './history-types.js';
import { newMessageId } from './message-id.js';
import { onRouteChange, pushThread, replaceThread, threadFromUrl } from './route.js';
import { renderRun } from './run-view.js';
import type { Session } from './session.js';
import { sessionEndReason } from './session-end.js';
import { renderStatus } from './status-view.js';
import { ThreadModel, type Run } from './thread-model.js';
import { renderThreadList } from './thread-list-view.js';

const SUGGESTIONS = ['What is 17 * 23?', 'What time is it in Asia/Tokyo?', 'Remember that the launch is on Friday', 'What is (2 + 3) ^ 4 / 5?'];

/**
 * The signed-in chat: sidebar of threads, the timeline of the open thread and the composer.
 * A thread is loaded from its durable history (`/messages`) and then followed live: stream
 * events already in the snapshot are skipped (see ThreadModel). The open thread is in the URL.
 */
export class ChatApp {
  readonly root: HTMLElement;
  private readonly client: AgentwireClient;
  private threads: ThreadSummary[] = [];
  private threadsCursor: string | null = null;
  private currentId: string | undefined;
  private model: ThreadModel | undefined;
  /** Cursor for the open thread's older messages; null when the start is shown. */
  private olderCursor: string | null = null;
  private loadingOlder = false;
  /** Only the newest history request of the open thread may apply its answer. */
  private loadGeneration = 0;
  private readonly unread = new Set<string>();
  private readonly openTools = new Set<string>();
  private readonly labels = new AgentLabels();
  /** Messages sent from this tab and not yet seen on the stream: shown as "sending". */
  private readonly pending = new Map<string, { text: string; threadId: string | undefined }>();
  private readonly runElements = new Map<string, HTMLElement>();
  private readonly statusSlot = h('div', { class: 'header__status' });
  private readonly sidebar = h('aside', { class: 'sidebar', id: 'sidebar', 'data-testid': 'sidebar' });
  private readonly menuButton = h('button', { class: 'menu-button', type: 'button', 'data-testid': 'menu-button', 'aria-label': 'Conversations', 'aria-controls': 'sidebar', 'aria-expanded': 'false' }, '☰');
  private readonly timeline = h('section', { class: 'timeline', 'data-testid': 'timeline', 'aria-live': 'polite' });
  private readonly banner = h('div', { class: 'banner', role: 'alert', 'data-testid': 'error-banner', hidden: true });
  private readonly composer: Composer;
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly expiry: ReturnType<typeof setTimeout>;
  private readonly stopRouting: () => void;
  private bannerTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly session: Session,
    /** Called when the session ends; `reason` is set when the person did not ask for it. */
    private readonly onSignOut: (reason?: string) => void,
  ) {
    this.composer = new Composer({ send: (text, agent) => this.send(text, this.currentId, agent), stop: () => this.stopAll() });
    this.root = this.layout();
    this.client = connect({
      url: api.socketUrl(),
      getTicket: () => this.fetchTicket(),
      backoff: { initialMs: 300, maxMs: 8000 },
    });
    this.client.on('state', (change) => this.onState(change));
    this.client.on('connected', (info) => {
      void this.refreshThreads();
      // A fresh (not resumed) stream: live events of an earlier stream life are dropped and
      // the open thread is reloaded, then followed from its snapshot's position.
      if (!info.resumed) {
        this.model?.resetLive();
        if (this.currentId) void this.loadThread(this.currentId);
      }
    });
    this.client.on('resume_gap', () => {
      void this.refreshThreads();
      if (this.currentId) void this.loadThread(this.currentId);
    });
    this.client.on('event', (event) => this.onEvent(event));
    this.client.on('error', (error) => {
      // Ticket failures are retried quietly; the status pill already says "Reconnecting".
      if (error.code !== 'AW_ERR_CLIENT_CREDENTIALS') this.showError(error.message);
    });
    void this.loadAgents();
    this.ticker = setInterval(() => this.tick(), 250);
    // The token cannot be renewed in the demo login: end the session at its expiry, saying so.
    // (Capped: a timer longer than 2^31-1 ms would fire at once.)
    const left = Math.min(Math.max(0, Date.parse(session.expiresAt) - Date.now()), 2 ** 31 - 1);
    this.expiry = setTimeout(() => this.endSession('Your session expired. Sign in again to continue.'), left);
    this.stopRouting = onRouteChange((threadId) => this.select(threadId, { push: false }));
    this.showState(this.client.state);
    this.select(threadFromUrl(), { push: false, focus: false });
    this.timeline.addEventListener('scroll', () => {
      if (this.timeline.scrollTop < 120) void this.loadOlder();
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.ticker);
    clearTimeout(this.expiry);
    this.stopRouting();
    this.client.close();
  }

  private layout(): HTMLElement {
    this.menuButton.addEventListener('click', () => this.toggleMenu());
    const scrim = h('div', { class: 'scrim', 'aria-hidden': 'true', onclick: () => this.toggleMenu(false) });
    return h(
      'div',
      { class: 'app' },
      h(
        'header',
        { class: 'header' },
        this.menuButton,
        h('div', { class: 'brand' }, h('span', { class: 'brand__dot' }), 'agentwire'),
        this.statusSlot,
        h(
          'div',
          { class: 'header__user' },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, this.session.username.slice(0, 1).toUpperCase()),
          h('span', { class: 'header__name', 'data-testid': 'user-name' }, this.session.username),
          h('button', { class: 'link-button', type: 'button', 'data-testid': 'logout', onclick: () => this.endSession() }, 'Sign out'),
        ),
      ),
      h('div', { class: 'body' }, this.sidebar, scrim, h('main', { class: 'main' }, this.banner, this.timeline, this.composer.root)),
    );
  }

  /** On narrow screens the thread list is a drawer behind the ☰ button. */
  private toggleMenu(open = !this.root.classList.contains('app--menu-open')): void {
    this.root.classList.toggle('app--menu-open', open);
    this.menuButton.setAttribute('aria-expanded', String(open));
  }

  private async loadAgents(): Promise<void> {
    try {
      const { agents, default: fallback } = await api.agents();
      this.labels.learn(agents);
      this.composer.setAgents(
        agents.map((agent) => ({ ...agent, label: this.labels.of(agent.name) })),
        fallback,
      );
      this.renderTimeline();
    } catch {
      // Without the list the server's default agent answers; nothing to show.
    }
  }

  private async fetchTicket(): Promise<string> {
    try {
      return await api.ticket(this.session.token);
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) {
        queueMicrotask(() => this.endSession('The server no longer accepts your session (it expired, or the server was set up with a new key). Sign in again to continue.'));
      }
      throw error;
    }
  }

  /** Ends the session in this tab (and so in every tab: the session is per browser). */
  private endSession(reason?: string): void {
    this.dispose();
    this.onSignOut(reason);
  }

  private send(text: string, threadId: string | undefined, agent?: string): void {
    const clientMsgId = newMessageId();
    this.pending.set(clientMsgId, { text, threadId });
    this.renderPending();
    this.client.send(text, { clientMsgId, ...(threadId && { threadId }), ...(agent && { agent }) }).then(
      (accepted) => {
        // A new conversation opens as soon as the server named its thread.
        if (threadId === undefined && this.currentId === undefined) this.select(accepted.thread_id, { push: false, replace: true, focus: false });
      },
      (error: unknown) => {
        this.pending.delete(clientMsgId);
        this.renderPending();
        if (!this.composer.input.value) this.composer.fill(text);
        this.showError(`Not sent: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  private retry(run: Run): void {
    this.send(run.userText, this.currentId, run.agentName);
  }

  private onEvent(event: StreamEvent): void {
    const change = asThreadChange(event);
    if (change) return this.onThreadChange(change);
    if (event.type === 'user_message' && this.pending.has(event.data.client_msg_id)) {
      const mine = this.pending.get(event.data.client_msg_id)!;
      this.pending.delete(event.data.client_msg_id);
      if (mine.threadId === undefined && this.currentId === undefined) this.select(event.thread_id, { push: false, replace: true, focus: false });
    }
    if (event.thread_id === this.currentId && this.model) {
      const run = this.model.apply(event);
      if (run) this.updateRun(run);
      this.renderPending();
    } else {
      this.unread.add(event.thread_id);
    }
    if (event.type === 'user_message' || !this.threads.some((t) => t.thread_id === event.thread_id)) void this.refreshThreads();
    else this.renderSidebar();
  }

  /** Renames and deletions made in any tab (or by the server) reach this one as stream events. */
  private onThreadChange(change: NonNullable<ReturnType<typeof asThreadChange>>): void {
    if (change.type === 'thread_updated') {
      const thread = this.threads.find((t) => t.thread_id === change.thread_id);
      if (thread) thread.title = change.data.title;
      else void this.refreshThreads();
      this.renderSidebar();
      return;
    }
    this.threads = this.threads.filter((t) => t.thread_id !== change.thread_id);
    this.unread.delete(change.thread_id);
    if (change.thread_id === this.currentId) {
      this.select(undefined, { push: false, replace: true, focus: false });
      this.showError('This conversation was deleted.');
    }
    this.renderSidebar();
  }

  private select(threadId: string | undefined, how: { push?: boolean; replace?: boolean; focus?: boolean } = {}): void {
    if (how.replace) replaceThread(threadId);
    else if (how.push !== false) pushThread(threadId);
    this.toggleMenu(false);
    if (threadId === this.currentId && (threadId === undefined || this.model)) return;
    this.currentId = threadId;
    this.model = threadId === undefined ? undefined : new ThreadModel(threadId);
    this.olderCursor = null;
    if (threadId) this.unread.delete(threadId);
    this.openTools.clear();
    this.renderSidebar();
    this.renderTimeline();
    if (threadId) void this.loadThread(threadId);
    if (how.focus !== false) this.composer.focus();
  }

  /** Loads the open thread's newest history and follows from its stream position. */
  private async loadThread(threadId: string): Promise<void> {
    const generation = ++this.loadGeneration;
    try {
      const history = await api.history(this.session.token, threadId);
      if (generation !== this.loadGeneration || this.currentId !== threadId || !this.model) return;
      if (history.kind === 'snapshot') {
        this.model.seed(history.snapshot.messages, history.snapshot.stream.last_seq);
        this.olderCursor = history.snapshot.next_before;
      } else {
        for (const event of history.events) this.model.applyPast(event);
      }
      this.renderTimeline();
    } catch (error) {
      if (generation !== this.loadGeneration || this.currentId !== threadId) return;
      if (error instanceof api.ApiError && error.status === 404) {
        this.select(undefined, { replace: true, focus: false });
        this.showError('That conversation does not exist, or it was deleted.');
        return;
      }
      this.showError(`Could not load the conversation: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Scrolled to the top: fetches the page of messages before those shown, keeping the view still. */
  private async loadOlder(): Promise<void> {
    const threadId = this.currentId;
    const before = this.olderCursor;
    if (!threadId || !before || this.loadingOlder || !this.model) return;
    this.loadingOlder = true;
    try {
      const history = await api.history(this.session.token, threadId, before);
      if (history.kind !== 'snapshot' || this.currentId !== threadId || !this.model) return;
      const fromBottom = this.timeline.scrollHeight - this.timeline.scrollTop;
      this.model.prepend(history.snapshot.messages);
      this.olderCursor = history.snapshot.next_before;
      this.renderTimeline(false);
      this.timeline.scrollTop = this.timeline.scrollHeight - fromBottom;
    } catch (error) {
      this.showError(`Could not load older messages: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.loadingOlder = false;
    }
  }

  private async refreshThreads(): Promise<void> {
    try {
      const page = await api.threads(this.session.token);
      // Keep the older pages already fetched; the first page replaces the newest ones.
      const fresh = new Set(page.threads.map((t) => t.thread_id));
      const older = this.threadsCursor === null ? [] : this.threads.filter((t) => !fresh.has(t.thread_id));
      this.threads = [...page.threads, ...older];
      if (this.threadsCursor === null) this.threadsCursor = page.next_cursor;
      this.renderSidebar();
    } catch (error) {
      if (!(error instanceof api.ApiError && error.status === 0)) this.showError(`Could not load conversations: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async moreThreads(): Promise<void> {
    if (!this.threadsCursor) return;
    try {
      const page = await api.threads(this.session.token, this.threadsCursor);
      const known = new Set(this.threads.map((t) => t.thread_id));
      this.threads.push(...page.threads.filter((t) => !known.has(t.thread_id)));
      this.threadsCursor = page.next_cursor;
      this.renderSidebar();
    } catch (error) {
      this.showError(`Could not load conversations: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async rename(threadId: string): Promise<void> {
    const current = this.threads.find((t) => t.thread_id === threadId)?.title ?? '';
    const title = window.prompt('Rename the conversation', current)?.trim();
    if (!title || title === current) return;
    if (title.length > 200) return this.showError('A title is at most 200 characters.');
    try {
      const updated = await api.renameThread(this.session.token, threadId, title);
      const thread = this.threads.find((t) => t.thread_id === threadId);
      if (thread) thread.title = updated.title;
      this.renderSidebar();
    } catch (error) {
      this.showError(`Could not rename: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async remove(threadId: string): Promise<void> {
    const title = this.threads.find((t) => t.thread_id === threadId)?.title || 'this conversation';
    if (!window.confirm(`Delete “${title}”? This cannot be undone.`)) return;
    try {
      await api.deleteThread(this.session.token, threadId);
      this.onThreadChange({ type: 'thread_deleted', seq: 0, thread_id: threadId });
    } catch (error) {
      this.showError(`Could not delete: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private renderSidebar(): void {
    this.sidebar.replaceChildren(
      renderThreadList({
        threads: this.threads,
        currentId: this.currentId,
        unread: this.unread,
        more: this.threadsCursor !== null,
        onSelect: (id) => this.select(id),
        onMore: () => void this.moreThreads(),
        onRename: (id) => void this.rename(id),
        onDelete: (id) => void this.remove(id),
      }),
    );
  }

  private runHooks() {
    return { stop: (id: string) => this.stop(id), retry: (run: Run) => this.retry(run), agentLabel: (name: string | undefined) => this.labels.of(name), openTools: this.openTools };
  }

  private renderTimeline(stickToEnd = true): void {
    this.runElements.clear();
    const runs = this.model?.ordered() ?? [];
    this.composer.setRunning((this.model?.running().length ?? 0) > 0);
    if (runs.length === 0 && this.pendingHere().length === 0 && !this.currentId) {
      this.timeline.replaceChildren(this.emptyState());
      return;
    }
    const list = h('div', { class: 'runs' });
    for (const run of runs) {
      const el = renderRun(run, this.runHooks());
      this.runElements.set(run.runId, el);
      list.append(el);
    }
    const older = this.olderCursor
      ? h('button', { class: 'link-button timeline__older', type: 'button', 'data-testid': 'older-messages', onclick: () => void this.loadOlder() }, 'Earlier messages')
      : null;
    this.timeline.replaceChildren(...(older ? [older] : []), list, h('div', { class: 'pending-list' }));
    this.renderPending();
    this.scrollToEnd(stickToEnd);
  }

  private updateRun(run: Run): void {
    const stick = this.nearBottom();
    this.composer.setRunning((this.model?.running().length ?? 0) > 0);
    const el = renderRun(run, this.runHooks());
    const old = this.runElements.get(run.runId);
    if (old) old.replaceWith(el);
    else {
      const list = this.timeline.querySelector('.runs');
      if (!list) return this.renderTimeline();
      list.append(el);
    }
    this.runElements.set(run.runId, el);
    this.scrollToEnd(stick);
  }

  private pendingHere(): string[] {
    return [...this.pending.values()].filter((p) => p.threadId === this.currentId).map((p) => p.text);
  }

  private renderPending(): void {
    let slot = this.timeline.querySelector('.pending-list');
    const texts = this.pendingHere();
    if (!slot) {
      if (texts.length === 0) return;
      this.timeline.replaceChildren(h('div', { class: 'runs' }), (slot = h('div', { class: 'pending-list' })));
    }
    slot.replaceChildren(
      ...texts.map((text) =>
        h('div', { class: 'run run--pending' }, h('div', { class: 'bubble bubble--user bubble--pending', 'data-testid': 'pending-message' }, text, h('span', { class: 'bubble__note' }, 'sending…'))),
      ),
    );
    this.scrollToEnd(true);
  }

  private emptyState(): HTMLElement {
    return h(
      'div',
      { class: 'empty', 'data-testid': 'empty-state' },
      h('h2', { class: 'empty__title' }, `Hello, ${this.session.username}.`),
      h('p', { class: 'empty__lead' }, 'Ask something and watch each step as it happens: the thinking, the tools, the answer.'),
      h('div', { class: 'chips' }, ...SUGGESTIONS.map((text) => h('button', { class: 'chip', type: 'button', onclick: () => this.composer.fill(text) }, text))),
    );
  }

  private stop(runId: string): void {
    this.client.stop(runId).catch((error: unknown) => this.showError(`Could not stop: ${error instanceof Error ? error.message : String(error)}`));
  }

  private stopAll(): void {
    for (const run of this.model?.running() ?? []) this.stop(run.runId);
  }

  private onState(change: StateChange): void {
    this.showState(change.state, change.error?.message);
    const reason = sessionEndReason(change);
    if (reason) this.endSession(reason);
  }

  private showState(state: ConnectionState, detail?: string): void {
    this.statusSlot.replaceChildren(renderStatus(state, detail));
  }

  private showError(message: string, autoHide = true): void {
    this.banner.replaceChildren(
      h('span', { 'data-testid': 'error-message' }, message),
      h('button', { class: 'banner__close', type: 'button', 'aria-label': 'Dismiss', onclick: () => (this.banner.hidden = true) }, '×'),
    );
    this.banner.hidden = false;
    clearTimeout(this.bannerTimer);
    if (autoHide) this.bannerTimer = setTimeout(() => (this.banner.hidden = true), 8000);
  }

  /** Keeps "working…" badges counting while runs are in flight. */
  private tick(): void {
    for (const badge of this.timeline.querySelectorAll<HTMLElement>('.badge--running[data-started]')) {
      badge.textContent = `working… ${formatDuration(Date.now() - Date.parse(badge.dataset['started']!))}`;
    }
  }

  private nearBottom(): boolean {
    return this.timeline.scrollHeight - this.timeline.scrollTop - this.timeline.clientHeight < 80;
  }

  private scrollToEnd(when: boolean): void {
    if (when) this.timeline.scrollTop = this.timeline.scrollHeight;
  }
}
