import type { ThreadSummary } from '../../src/client.js';
import { h } from './dom.js';

export interface ThreadListProps {
  threads: ThreadSummary[];
  currentId: string | undefined;
  unread: ReadonlySet<string>;
  onSelect(threadId: string | undefined): void;
}

/** The sidebar: a "new conversation" button and the user's threads, newest first. */
export function renderThreadList(props: ThreadListProps): HTMLElement {
  const sorted = [...props.threads].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  return h(
    'nav',
    { class: 'threads', 'aria-label': 'Conversations' },
    h(
      'button',
      { class: `new-thread${props.currentId === undefined ? ' is-current' : ''}`, type: 'button', 'data-testid': 'new-thread', onclick: () => props.onSelect(undefined) },
      '+ New conversation',
    ),
    h(
      'ul',
      { class: 'threads__list', 'data-testid': 'thread-list' },
      ...sorted.map((t) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: `thread${t.thread_id === props.currentId ? ' is-current' : ''}`,
              'data-testid': 'thread-item',
              'data-thread-id': t.thread_id,
              onclick: () => props.onSelect(t.thread_id),
            },
            h('span', { class: 'thread__title' }, t.title || 'Untitled'),
            props.unread.has(t.thread_id) && h('span', { class: 'thread__unread', 'aria-label': 'new activity' }),
            h('span', { class: 'thread__time' }, relative(t.updated_at)),
          ),
        ),
      ),
    ),
    sorted.length === 0 && h('p', { class: 'threads__empty' }, 'No conversations yet.'),
  );
}

function relative(iso: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}
