/**
 * The open thread lives in the URL (`#/t/<thread_id>`), so a reload, a shared link and the
 * browser's back and forward buttons all land on the same conversation. A hash route needs
 * nothing from the server: it serves one page at `/`.
 */
export function threadFromUrl(): string | undefined {
  const match = /^#\/t\/([^/?#]+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export function threadUrl(threadId: string | undefined): string {
  return threadId ? `#/t/${encodeURIComponent(threadId)}` : location.pathname + location.search;
}

/** Records a navigation (a new history entry) unless the URL already says so. */
export function pushThread(threadId: string | undefined): void {
  if (threadFromUrl() === threadId) return;
  history.pushState(null, '', threadUrl(threadId));
}

/** Rewrites the current entry: used when a new conversation gets its id, or a thread vanished. */
export function replaceThread(threadId: string | undefined): void {
  if (threadFromUrl() === threadId) return;
  history.replaceState(null, '', threadUrl(threadId));
}

export function onRouteChange(listener: (threadId: string | undefined) => void): () => void {
  const handler = () => listener(threadFromUrl());
  window.addEventListener('popstate', handler);
  return () => window.removeEventListener('popstate', handler);
}
