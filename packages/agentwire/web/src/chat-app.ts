import { connect, type AgentwireClient, type ConnectionState, type StreamEvent, type ThreadSummary } from '../../src/client.js';
import * as api from './api.js';
import { formatDuration, h } from './dom.js';
import { newMessageId } from './message-id.js';
import { renderRun } from './run-view.js';
import type { Session } from './session.js';
import { renderStatus } from './status-view.js';
import { ThreadModel, type Run } from './thread-model.js';
import { renderThreadList } from './thread-list-view.js';

const SUGGESTIONS = ['What is 17 * 23?', 'What time is it in Asia/Tokyo?', 'Remember that the launch is on Friday', 'What is (2 + 3) ^ 4 / 5?'];

/**
 * The signed-in chat: sidebar of threads, the live timeline of the open thread and the
 * composer. Everything live comes through the SDK; HTTP is only for history.
 */
export class ChatApp {
  readonly root: HTMLElement;
  private readonly client: AgentwireClient;
  private threads: ThreadSummary[] = [];
  private currentId: string | undefined;
  private model: ThreadModel | undefined;
  private readonly unread = new Set<string>();
  private readonly openTools = new Set<string>();
  /** Messages sent from this tab and not yet seen on the stream: shown as "sending". */
  private readonly pending = new Map<string, { text: string; threadId: string | undefined }>();
  private readonly runElements = new Map<string, HTMLElement>();
  private readonly statusSlot = h('div', { class: 'header__status' });
  private readonly sidebar = h('aside', { class: 'sidebar' });
  private readonly timeline = h('section', { class: 'timeline', 'data-testid': 'timeline', 'aria-live': 'polite' });
  private readonly banner = h('div', { class: 'banner', role: 'alert', 'data-testid': 'error-banner', hidden: true });
  private readonly input = h('textarea', { class: 'composer__input', rows: 1, placeholder: 'Ask the agent…', 'data-testid': 'message-input', 'aria-label': 'Message' });
  /** Which agent answers; shown only when the server offers more than one. */
  private readonly agentSelect = h('select', { class: 'composer__agent', 'data-testid': 'agent-select', 'aria-label': 'Agent', hidden: true });
  private readonly ticker: ReturnType<typeof setInterval>;
  private bannerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly session: Session,
    private readonly onSignOut: () => void,
  ) {
    this.root = this.layout();
    this.client = connect({
      url: api.socketUrl(),
      getTicket: () => this.fetchTicket(),
      backoff: { initialMs: 300, maxMs: 8000 },
    });
    this.client.on('state', (change) => this.showState(change.state, change.error?.message));
    this.client.on('connected', (info) => {
      void this.refreshThreads();
      // A fresh (not resumed) stream may have moved on while history was loading.
      if (!info.resumed && this.currentId) void this.loadThread(this.currentId);
    });
    this.client.on('resume_gap', () => {
      this.showError('Some live updates were missed while offline; reloaded the conversation.');
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
    this.showState(this.client.state);
    this.renderSidebar();
    this.renderTimeline();
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.client.close();
  }

  private layout(): HTMLElement {
    const form = h(
      'form',
      { class: 'composer', 'data-testid': 'composer' },
      this.agentSelect,
      this.input,
      h('button', { class: 'button composer__send', type: 'submit', 'data-testid': 'send-button', 'aria-label': 'Send' }, 'Send'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.fitInput());
    return h(
      'div',
      { class: 'app' },
      h(
        'header',
        { class: 'header' },
        h('div', { class: 'brand' }, h('span', { class: 'brand__dot' }), 'agentwire'),
        this.statusSlot,
        h(
          'div',
          { class: 'header__user' },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, this.session.username.slice(0, 1).toUpperCase()),
          h('span', { 'data-testid': 'user-name' }, this.session.username),
          h('button', { class: 'link-button', type: 'button', 'data-testid': 'logout', onclick: () => this.signOut() }, 'Sign out'),
        ),
      ),
      h('div', { class: 'body' }, this.sidebar, h('main', { class: 'main' }, this.banner, this.timeline, form)),
    );
  }

  private async loadAgents(): Promise<void> {
    try {
      const { agents, default: fallback } = await api.agents();
      this.agentSelect.replaceChildren(
        ...agents.map((agent) => {
          const option = h('option', { value: agent.name, title: agent.description ?? '' }, agent.name);
          option.selected = agent.name === fallback;
          return option;
        }),
      );
      this.agentSelect.hidden = agents.length < 2;
    } catch {
      // Without the list the server's default agent answers; nothing to show.
    }
  }

  private async fetchTicket(): Promise<string> {
    try {
      return await api.ticket(this.session.token);
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) queueMicrotask(() => this.signOut());
      throw error;
    }
  }

  private signOut(): void {
    this.dispose();
    this.onSignOut();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    const clientMsgId = newMessageId();
    const threadId = this.currentId;
    this.pending.set(clientMsgId, { text, threadId });
    this.input.value = '';
    this.fitInput();
    this.renderPending();
    const agent = this.agentSelect.hidden ? undefined : this.agentSelect.value;
    this.client.send(text, { clientMsgId, ...(threadId && { threadId }), ...(agent && { agent }) }).then(
      (accepted) => {
        // A new conversation opens as soon as the server named its thread.
        if (threadId === undefined && this.currentId === undefined) this.select(accepted.thread_id, false);
      },
      (error: unknown) => {
        this.pending.delete(clientMsgId);
        this.renderPending();
        this.input.value ||= text;
        this.showError(`Not sent: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  private onEvent(event: StreamEvent): void {
    if (event.type === 'user_message' && this.pending.has(event.data.client_msg_id)) {
      const mine = this.pending.get(event.data.client_msg_id)!;
      this.pending.delete(event.data.client_msg_id);
      if (mine.threadId === undefined && this.currentId === undefined) this.select(event.thread_id, false);
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

  private select(threadId: string | undefined, focus = true): void {
    if (threadId === this.currentId && (threadId === undefined || this.model)) return;
    this.currentId = threadId;
    this.model = threadId === undefined ? undefined : new ThreadModel(threadId);
    if (threadId) this.unread.delete(threadId);
    this.openTools.clear();
    this.renderSidebar();
    this.renderTimeline();
    if (threadId) void this.loadThread(threadId);
    if (focus) this.input.focus();
  }

  /** Merges the thread's history from HTTP into the model (the model drops what it already has). */
  private async loadThread(threadId: string): Promise<void> {
    try {
      const events = await api.threadEvents(this.session.token, threadId);
      if (this.currentId !== threadId || !this.model) return;
      for (const event of events) this.model.apply(event);
      this.renderTimeline();
    } catch (error) {
      this.showError(`Could not load the conversation: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async refreshThreads(): Promise<void> {
    try {
      this.threads = await api.threads(this.session.token);
      this.renderSidebar();
    } catch (error) {
      if (!(error instanceof api.ApiError && error.status === 0)) this.showError(`Could not load conversations: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private renderSidebar(): void {
    this.sidebar.replaceChildren(
      renderThreadList({ threads: this.threads, currentId: this.currentId, unread: this.unread, onSelect: (id) => this.select(id) }),
    );
  }

  private renderTimeline(): void {
    this.runElements.clear();
    const runs = this.model?.ordered() ?? [];
    if (runs.length === 0 && this.pendingHere().length === 0 && !this.currentId) {
      this.timeline.replaceChildren(this.emptyState());
      return;
    }
    const list = h('div', { class: 'runs' });
    for (const run of runs) {
      const el = renderRun(run, { stop: (id) => this.stop(id), openTools: this.openTools });
      this.runElements.set(run.runId, el);
      list.append(el);
    }
    this.timeline.replaceChildren(list, h('div', { class: 'pending-list' }));
    this.renderPending();
    this.scrollToEnd(true);
  }

  private updateRun(run: Run): void {
    const stick = this.nearBottom();
    const el = renderRun(run, { stop: (id) => this.stop(id), openTools: this.openTools });
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
      h(
        'div',
        { class: 'chips' },
        ...SUGGESTIONS.map((text) =>
          h('button', { class: 'chip', type: 'button', onclick: () => ((this.input.value = text), this.input.focus(), this.fitInput()) }, text),
        ),
      ),
    );
  }

  private stop(runId: string): void {
    this.client.stop(runId).catch((error: unknown) => this.showError(`Could not stop: ${error instanceof Error ? error.message : String(error)}`));
  }

  private showState(state: ConnectionState, detail?: string): void {
    this.statusSlot.replaceChildren(renderStatus(state, detail));
    if (state === 'offline' && detail) this.showError(`Disconnected: ${detail}`, false);
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

  private fitInput(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }

  private nearBottom(): boolean {
    return this.timeline.scrollHeight - this.timeline.scrollTop - this.timeline.clientHeight < 80;
  }

  private scrollToEnd(when: boolean): void {
    if (when) this.timeline.scrollTop = this.timeline.scrollHeight;
  }
}
