import { h } from './dom.js';

/** PROTOCOL.md: `text` is at most 32 KiB of UTF-8 by default. */
export const MESSAGE_LIMIT_BYTES = 32 * 1024;

export interface ComposerHooks {
  /** Sends the text; the composer already checked it is not empty and within the limit. */
  send(text: string, agent: string | undefined): void;
  /** Stops the runs in flight in the open thread. */
  stop(): void;
}

/**
 * The message box. Its main button is Send, and Stop while a run of the open thread is in
 * flight (where people look for it); Enter still sends. An empty or oversized message is
 * refused here, with a hint that says why, before anything reaches the server.
 */
export class Composer {
  readonly input = h('textarea', { class: 'composer__input', rows: 1, placeholder: 'Ask the agent…', 'data-testid': 'message-input', 'aria-label': 'Message' });
  /** Which agent answers; shown only when the server offers more than one. */
  readonly agentSelect = h('select', { class: 'composer__agent', 'data-testid': 'agent-select', 'aria-label': 'Agent', hidden: true });
  private readonly button = h('button', { class: 'button composer__send', type: 'submit', 'data-testid': 'send-button', 'data-mode': 'send', 'aria-label': 'Send' }, 'Send');
  private readonly hint = h('p', { class: 'composer__hint', role: 'status', 'aria-live': 'polite', 'data-testid': 'composer-hint', hidden: true });
  readonly root: HTMLElement;
  private running = false;

  constructor(private readonly hooks: ComposerHooks) {
    const form = h('form', { class: 'composer', 'data-testid': 'composer' }, this.agentSelect, this.input, this.button);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.running) this.hooks.stop();
      else this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => {
      if (this.hint.dataset['kind'] === 'hint' && this.input.value.trim()) this.showHint(undefined);
      this.fit();
      this.checkSize();
    });
    this.root = h('div', { class: 'composer-wrap' }, this.hint, form);
  }

  /** Switches the main button between Send and Stop. */
  setRunning(running: boolean): void {
    if (running === this.running) return;
    this.running = running;
    this.button.dataset['mode'] = running ? 'stop' : 'send';
    this.button.textContent = running ? 'Stop' : 'Send';
    this.button.setAttribute('aria-label', running ? 'Stop the answer' : 'Send');
    this.button.classList.toggle('button--stop', running);
  }

  setAgents(agents: Array<{ name: string; label: string; description?: string }>, fallback: string): void {
    this.agentSelect.replaceChildren(
      ...agents.map((agent) => {
        const option = h('option', { value: agent.name, title: agent.description ?? '' }, agent.label);
        option.selected = agent.name === fallback;
        return option;
      }),
    );
    this.agentSelect.hidden = agents.length < 2;
  }

  /** Puts text back (a message that could not be sent) or in (a suggestion). */
  fill(text: string): void {
    this.input.value = text;
    this.fit();
    this.checkSize();
    this.input.focus();
  }

  focus(): void {
    this.input.focus();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return this.showHint('Type a message first.');
    if (!this.checkSize()) return;
    this.input.value = '';
    this.fit();
    this.showHint(undefined);
    this.hooks.send(text, this.agentSelect.hidden ? undefined : this.agentSelect.value);
  }

  /** True when the text fits; otherwise says by how much it does not. */
  private checkSize(): boolean {
    const bytes = new TextEncoder().encode(this.input.value.trim()).length;
    if (bytes <= MESSAGE_LIMIT_BYTES) {
      if (this.hint.dataset['kind'] === 'limit') this.showHint(undefined);
      return true;
    }
    this.showHint(`This message is ${kib(bytes)}; the limit is 32 KiB of text. Shorten it to send.`, 'limit');
    return false;
  }

  private showHint(text: string | undefined, kind = 'hint'): void {
    this.hint.hidden = text === undefined;
    this.hint.textContent = text ?? '';
    this.hint.dataset['kind'] = kind;
  }

  private fit(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
