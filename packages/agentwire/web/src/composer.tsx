import { forwardRef, useImperativeHandle, useLayoutEffect, useRef, useState, type SyntheticEvent, type KeyboardEvent } from 'react';

/** PROTOCOL.md: `text` is at most 32 KiB of UTF-8 by default. */
export const MESSAGE_LIMIT_BYTES = 32 * 1024;

export interface AgentChoice {
  name: string;
  label: string;
  description?: string;
}

export interface ComposerProps {
  /** Runs of the open thread are in flight: with an empty box the main button is Stop. */
  running: boolean;
  agents: AgentChoice[];
  defaultAgent: string | undefined;
  /** Sends the text; the composer already checked it is not empty and within the limit. */
  onSend(text: string, agent: string | undefined): void;
  /** Stops the runs in flight in the open thread. */
  onStop(): void;
}

/** What the page may do to the composer: put text back (a message not sent, a suggestion), focus it. */
export interface ComposerHandle {
  fill(text: string): void;
  focus(): void;
  isEmpty(): boolean;
}

type Hint = { text: string; kind: 'hint' | 'limit' } | undefined;

/**
 * The message box. Its main button is Send, and Stop while a run of the open thread is in
 * flight and the box is empty (where people look for it). Once the person types, it is
 * Send again: a message sent while a run is in flight queues behind it (the server's
 * default `if_busy`, docs/protocol.md "Busy threads"); Enter always sends. An empty or
 * oversized message is refused here, with a hint that says why, before anything reaches
 * the server.
 */
export const Composer = forwardRef<ComposerHandle, ComposerProps>(function Composer({ running, agents, defaultAgent, onSend, onStop }, ref) {
  const [text, setText] = useState('');
  const [hint, setHint] = useState<Hint>();
  const [agent, setAgent] = useState<string | undefined>();
  const input = useRef<HTMLTextAreaElement>(null);
  const chosenAgent = agent ?? defaultAgent;
  const offersChoice = agents.length >= 2;
  const stopMode = running && text.trim() === '';

  useImperativeHandle(ref, () => ({
    fill: (value) => {
      setText(value);
      setHint(limitHint(value));
      input.current?.focus();
    },
    focus: () => input.current?.focus(),
    isEmpty: () => input.current?.value === '',
  }));

  // Grows with its text up to 200 px (an element style, allowed by the page's CSP).
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const submit = () => {
    const trimmed = text.trim();
    if (!trimmed) return setHint({ text: 'Type a message first.', kind: 'hint' });
    if (limitHint(text)) return;
    setText('');
    setHint(undefined);
    onSend(trimmed, offersChoice ? chosenAgent : undefined);
  };

  const onSubmit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (stopMode) onStop();
    else submit();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const onChange = (value: string) => {
    setText(value);
    const limit = limitHint(value);
    if (limit) setHint(limit);
    else if (hint?.kind === 'limit' || (hint?.kind === 'hint' && value.trim())) setHint(undefined);
  };

  return (
    <div className="composer-wrap">
      <p className="composer__hint" role="status" aria-live="polite" data-testid="composer-hint" data-kind={hint?.kind} hidden={hint === undefined}>
        {hint?.text}
      </p>
      <form className="composer" data-testid="composer" onSubmit={onSubmit}>
        <select className="composer__agent" data-testid="agent-select" aria-label="Agent" hidden={!offersChoice} value={chosenAgent ?? ''} onChange={(e) => setAgent(e.target.value)}>
          {agents.map((choice) => (
            <option key={choice.name} value={choice.name} title={choice.description ?? ''}>
              {choice.label}
            </option>
          ))}
        </select>
        <textarea
          ref={input}
          className="composer__input"
          rows={1}
          placeholder={running ? "Ask more: it waits for the answer in progress…" : "Ask the agent…"}
          data-testid="message-input"
          aria-label="Message"
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button
          className={`button composer__send${stopMode ? ' button--stop' : ''}`}
          type="submit"
          data-testid="send-button"
          data-mode={stopMode ? 'stop' : 'send'}
          aria-label={stopMode ? 'Stop the answer' : running ? 'Send (it waits for the answer in progress)' : 'Send'}
        >
          {stopMode ? 'Stop' : 'Send'}
        </button>
      </form>
    </div>
  );
});

/** The hint for a text over the limit, saying by how much; undefined when it fits. */
function limitHint(text: string): Hint {
  const bytes = new TextEncoder().encode(text.trim()).length;
  if (bytes <= MESSAGE_LIMIT_BYTES) return undefined;
  return { text: `This message is ${(bytes / 1024).toFixed(1)} KiB; the limit is 32 KiB of text. Shorten it to send.`, kind: 'limit' };
}
