import type { ThreadSummary } from '../../src/client.js';
import { h } from './dom.js';

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
    h('ul', { class: 'threads__list', 'data-testid': 'thread-list' }, ...sorted.map((t) => item(t, props))),
    sorted.length === 0 && h('p', { class: 'threads__empty' }, 'No conversations yet.'),
    props.more && h('button', { class: 'link-button threads__more', type: 'button', 'data-testid': 'more-threads', onclick: () => props.onMore() }, 'Older conversations'),
  );
}

function item(t: ThreadSummary, props: ThreadListProps): HTMLElement {
  const current = t.thread_id === props.currentId;
  return h(
    'li',
    { class: 'threads__item' },
    h(
      'a',
      {
        class: `thread${current ? ' is-current' : ''}`,
        // A real link, so "open in new tab" and copying the address work too.
        href: `#/t/${encodeURIComponent(t.thread_id)}`,
        'data-testid': 'thread-item',
        'data-thread-id': t.thread_id,
        'aria-current': current ? 'page' : undefined,
        onclick: (event: Event) => {
          const mouse = event as MouseEvent;
          if (mouse.ctrlKey || mouse.metaKey || mouse.shiftKey || mouse.button !== 0) return;
          event.preventDefault();
          props.onSelect(t.thread_id);
        },
      },
      h('span', { class: 'thread__title', 'data-testid': 'thread-title' }, t.title || 'Untitled'),
      props.unread.has(t.thread_id) && h('span', { class: 'thread__unread', 'aria-label': 'new activity' }),
      h('span', { class: 'thread__time' }, relative(t.updated_at)),
    ),
    h(
      'span',
      { class: 'thread__actions' },
      h('button', { class: 'icon-button', type: 'button', title: 'Rename', 'aria-label': `Rename ${t.title || 'Untitled'}`, 'data-testid': 'rename-thread', onclick: () => props.onRename(t.thread_id) }, '✎'),
      h('button', { class: 'icon-button', type: 'button', title: 'Delete', 'aria-label': `Delete ${t.title || 'Untitled'}`, 'data-testid': 'delete-thread', onclick: () => props.onDelete(t.thread_id) }, '×'),
    ),
  );
}

function relative(iso: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}
