import type { MouseEvent } from 'react';
import type { ThreadSummary } from '../../src/client.js';

export interface ThreadListProps {
  threads: ThreadSummary[];
  currentId: string | undefined;
  unread: ReadonlySet<string>;
  /** True while the server has older threads than those listed. */
  more: boolean;
  onSelect(threadId: string | undefined): void;
  onMore(): void;
  onRename(threadId: string): void;
  onDelete(threadId: string): void;
}

/** The sidebar: a "new conversation" button and the user's threads, newest first. */
export function ThreadList(props: ThreadListProps) {
  const sorted = [...props.threads].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  return (
    <nav className="threads" aria-label="Conversations">
      <button className={`new-thread${props.currentId === undefined ? ' is-current' : ''}`} type="button" data-testid="new-thread" onClick={() => props.onSelect(undefined)}>
        + New conversation
      </button>
      <ul className="threads__list" data-testid="thread-list">
        {sorted.map((t) => (
          <ThreadItem key={t.thread_id} thread={t} {...props} />
        ))}
      </ul>
      {sorted.length === 0 && <p className="threads__empty">No conversations yet.</p>}
      {props.more && (
        <button className="link-button threads__more" type="button" data-testid="more-threads" onClick={props.onMore}>
          Older conversations
        </button>
      )}
    </nav>
  );
}

function ThreadItem({ thread: t, currentId, unread, onSelect, onRename, onDelete }: ThreadListProps & { thread: ThreadSummary }) {
  const current = t.thread_id === currentId;
  const title = t.title || 'Untitled';
  const open = (event: MouseEvent<HTMLAnchorElement>) => {
    // A real link, so "open in new tab" and copying the address work too.
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onSelect(t.thread_id);
  };
  return (
    <li className="threads__item">
      <a
        className={`thread${current ? ' is-current' : ''}`}
        href={`#/t/${encodeURIComponent(t.thread_id)}`}
        data-testid="thread-item"
        data-thread-id={t.thread_id}
        aria-current={current ? 'page' : undefined}
        onClick={open}
      >
        <span className="thread__title" data-testid="thread-title">
          {title}
        </span>
        {unread.has(t.thread_id) && <span className="thread__unread" aria-label="new activity" />}
        <span className="thread__time">{relative(t.updated_at)}</span>
      </a>
      <span className="thread__actions">
        <button className="icon-button" type="button" title="Rename" aria-label={`Rename ${title}`} data-testid="rename-thread" onClick={() => onRename(t.thread_id)}>
          ✎
        </button>
        <button className="icon-button" type="button" title="Delete" aria-label={`Delete ${title}`} data-testid="delete-thread" onClick={() => onDelete(t.thread_id)}>
          ×
        </button>
      </span>
    </li>
  );
}

function relative(iso: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}
