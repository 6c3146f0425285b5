import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { isThreadEventType, ServerRejectionError } from '../../src/client.js';
import { AgentwireHttp, AgentwireHttpError, turnsOf, useAgentwire, useClientTool, useThread, useThreads, type AgentInfo } from '../../src/react.js';
import { agentLabel } from './agent-labels.js';
import { Banner, useBanner } from './banner.js';
import { Composer, type ComposerHandle } from './composer.js';
import { LOCAL_TIME_TOOL, localTime } from './local-time-tool.js';
import { newMessageId } from './message-id.js';
import { onRouteChange, pushThread, replaceThread, threadFromUrl } from './route.js';
import { RunCard } from './run-card.js';
import type { Session } from './session.js';
import { sessionEndReason } from './session-end.js';
import { StatusPill } from './status-pill.js';
import { ThreadList } from './thread-list.js';

const SUGGESTIONS = ['What is 17 * 23?', 'What time is it in Asia/Tokyo?', 'What time is it here?', 'Remember that the launch is on Friday', 'What is (2 + 3) ^ 4 / 5?'];
const REJECTED = 'The server no longer accepts your session (it expired, or the server was set up with a new key). Sign in again to continue.';
const EXPIRED = 'Your session expired. Sign in again to continue.';

/** A message sent from this tab and not yet seen on the stream: shown as "sending". */
interface Pending {
  text: string;
  threadId: string | undefined;
}

/**
 * The signed-in chat, built on agentwire/react (docs/react.md): `useAgentwire` for the
 * connection, `useThreads` for the sidebar, `useThread` for the open thread (its durable
 * messages, then followed live). The open thread is in the URL.
 */
export function ChatPage({ session, onSignOut }: { session: Session; onSignOut(reason?: string): void }) {
  const aw = useAgentwire({ token: session.token, backoff: { initialMs: 300, maxMs: 8000 } });
  const list = useThreads(aw);
  const [currentId, setCurrentId] = useState<string | undefined>(threadFromUrl);
  const thread = useThread(aw, currentId);
  // Offered with every message; answered from this browser (protocol 1.2 "Client tools").
  useClientTool(aw, LOCAL_TIME_TOOL, () => localTime());
  const banner = useBanner();
  const showError = banner.show;
  const composer = useRef<ComposerHandle>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [unread, setUnread] = useState<ReadonlySet<string>>(new Set());
  const [pending, setPending] = useState<ReadonlyMap<string, Pending>>(new Map());
  const [agents, setAgents] = useState<{ agents: AgentInfo[]; default: string }>();
  const openTools = useMemo(() => new Set<string>(), [currentId]);
  // The latest values, for the stream's listeners (subscribed once per connection).
  const currentRef = useRef(currentId);
  currentRef.current = currentId;
  const pendingRef = useRef(pending);
  pendingRef.current = pending;

  const select = useCallback((threadId: string | undefined, how: { push?: boolean; replace?: boolean; focus?: boolean } = {}) => {
    if (how.replace) replaceThread(threadId);
    else if (how.push !== false) pushThread(threadId);
    setMenuOpen(false);
    setCurrentId(threadId);
    if (threadId) setUnread((old) => without(old, threadId));
    if (how.focus !== false) composer.current?.focus();
  }, []);

  const endSession = useCallback((reason?: string) => onSignOut(reason), [onSignOut]);

  useEffect(() => onRouteChange((threadId) => select(threadId, { push: false })), [select]);

  // The token cannot be renewed in the demo login: end the session at its expiry, saying so.
  // (Capped: a timer longer than 2^31-1 ms would fire at once.)
  useEffect(() => {
    const left = Math.min(Math.max(0, Date.parse(session.expiresAt) - Date.now()), 2 ** 31 - 1);
    const timer = setTimeout(() => endSession(EXPIRED), left);
    return () => clearTimeout(timer);
  }, [session.expiresAt, endSession]);

  useEffect(() => {
    const reason = aw.lastChange && sessionEndReason(aw.lastChange);
    if (reason) endSession(reason);
  }, [aw.lastChange, endSession]);

  useEffect(() => {
    if (aw.rejected) endSession(REJECTED);
  }, [aw.rejected, endSession]);

  useEffect(() => {
    AgentwireHttp.agents('').then(setAgents, () => {
      // Without the list the server's default agent answers; nothing to show.
    });
  }, []);

  // Stream events: the echo of a message sent here ends its "sending", a new thread of this
  // tab opens, activity elsewhere marks its thread unread; client errors show in the banner.
  useEffect(() => {
    const client = aw.client;
    if (!client) return;
    const offEvent = client.on('event', (event) => {
      if (event.type === 'user_message') {
        const sent = event.data.client_msg_id;
        const mine = pendingRef.current.get(sent);
        if (mine) {
          setPending((old) => withoutKey(old, sent));
          if (mine.threadId === undefined && currentRef.current === undefined) select(event.thread_id, { replace: true, focus: false });
        }
      }
      // Renames and deletions are not activity; useThreads and useThread apply them.
      if (event.thread_id !== currentRef.current && !isThreadEventType(event.type)) setUnread((old) => new Set(old).add(event.thread_id));
    });
    const offError = client.on('error', (error) => {
      // Ticket failures are retried quietly; the status pill already says "Reconnecting".
      if (error.code !== 'AW_ERR_CLIENT_CREDENTIALS') showError(error.message);
    });
    return () => {
      offEvent();
      offError();
    };
  }, [aw.client, select, showError]);

  // The open thread went missing: deleted in some tab, or an address of no thread of ours.
  useEffect(() => {
    if (thread.status === 'missing') {
      select(undefined, { replace: true, focus: false });
      showError(thread.error ? 'That conversation does not exist, or it was deleted.' : 'This conversation was deleted.');
    } else if (thread.status === 'error' && thread.error) {
      showError(`Could not load the conversation: ${thread.error.message}`);
    }
  }, [thread.status, thread.error, select, showError]);

  useEffect(() => {
    const error = list.error;
    if (error && !(error instanceof AgentwireHttpError && error.status === 0)) showError(`Could not load conversations: ${error.message}`);
  }, [list.error, showError]);

  const send = useCallback(
    (text: string, agent: string | undefined) => {
      const clientMsgId = newMessageId();
      const threadId = currentRef.current;
      setPending((old) => new Map(old).set(clientMsgId, { text, threadId }));
      thread.send(text, { clientMsgId, ...(agent && { agent }) }).then(
        (accepted) => {
          // A new conversation opens as soon as the server named its thread.
          if (threadId === undefined && currentRef.current === undefined) select(accepted.thread_id, { replace: true, focus: false });
        },
        (error: unknown) => {
          setPending((old) => withoutKey(old, clientMsgId));
          if (composer.current?.isEmpty()) composer.current.fill(text);
          showError(`Not sent: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    },
    [thread, select, showError],
  );

  const stop = useCallback(
    (runId?: string) => {
      thread.stop(runId).catch((error: unknown) => showError(`Could not stop: ${error instanceof Error ? error.message : String(error)}`));
    },
    [thread, showError],
  );

  const approve = useCallback(
    async (runId: string, toolCallId: string, approved: boolean) => {
      try {
        await thread.approve(runId, toolCallId, approved);
      } catch (error) {
        // Another tab answered first: its resolution reaches this tab on the stream, as in every tab.
        if (error instanceof ServerRejectionError && error.wireCode === 'already_resolved') return;
        showError(`Could not answer: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    [thread, showError],
  );

  const rename = async (threadId: string) => {
    const current = list.threads.find((t) => t.thread_id === threadId)?.title ?? '';
    const title = window.prompt('Rename the conversation', current)?.trim();
    if (!title || title === current) return;
    if (title.length > 200) return showError('A title is at most 200 characters.');
    await list.rename(threadId, title).catch((error: unknown) => showError(`Could not rename: ${(error as Error).message}`));
  };

  const remove = async (threadId: string) => {
    const title = list.threads.find((t) => t.thread_id === threadId)?.title || 'this conversation';
    if (!window.confirm(`Delete “${title}”? This cannot be undone.`)) return;
    try {
      await list.remove(threadId);
      setUnread((old) => without(old, threadId));
    } catch (error) {
      showError(`Could not delete: ${(error as Error).message}`);
    }
  };

  const labels = useMemo(() => new Map((agents?.agents ?? []).map((agent) => [agent.name, agentLabel(agent)])), [agents]);
  const labelOf = useCallback((name: string | undefined) => (name === undefined ? 'agent' : (labels.get(name) ?? name)), [labels]);
  const turns = turnsOf(thread.messages);
  const pendingHere = [...pending.values()].filter((p) => p.threadId === currentId);
  const running = thread.runningRunIds.length > 0;
  const now = useNow(running);
  const timeline = useTimelineScroll(currentId, [thread.messages, pendingHere.length], () => void thread.loadOlder().catch((error: unknown) => showError(`Could not load older messages: ${(error as Error).message}`)));
  const empty = turns.length === 0 && pendingHere.length === 0 && !currentId;

  return (
    <div className={`app${menuOpen ? ' app--menu-open' : ''}`}>
      <header className="header">
        <button className="menu-button" type="button" data-testid="menu-button" aria-label="Conversations" aria-controls="sidebar" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
          ☰
        </button>
        <div className="brand">
          <span className="brand__dot" />
          agentwire
        </div>
        <div className="header__status">
          <StatusPill state={aw.state} detail={aw.lastChange?.error?.message} />
        </div>
        <div className="header__user">
          <span className="avatar" aria-hidden="true">
            {session.username.slice(0, 1).toUpperCase()}
          </span>
          <span className="header__name" data-testid="user-name">
            {session.username}
          </span>
          <button className="link-button" type="button" data-testid="logout" onClick={() => endSession()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="body">
        <aside className="sidebar" id="sidebar" data-testid="sidebar">
          <ThreadList
            threads={list.threads}
            currentId={currentId}
            unread={unread}
            more={list.hasMore}
            onSelect={(id) => select(id)}
            onMore={() => void list.loadMore()}
            onRename={(id) => void rename(id)}
            onDelete={(id) => void remove(id)}
          />
        </aside>
        <div className="scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />
        <main className="main">
          <Banner state={banner} />
          <section className="timeline" data-testid="timeline" aria-live="polite" ref={timeline.ref} onScroll={timeline.onScroll}>
            {empty ? (
              <div className="empty" data-testid="empty-state">
                <h2 className="empty__title">{`Hello, ${session.username}.`}</h2>
                <p className="empty__lead">Ask something and watch each step as it happens: the thinking, the tools, the answer.</p>
                <div className="chips">
                  {SUGGESTIONS.map((text) => (
                    <button key={text} className="chip" type="button" onClick={() => composer.current?.fill(text)}>
                      {text}
                    </button>
                  ))}
                </div>
              </div>
            ) : (
              <>
                {thread.hasOlder && (
                  <button className="link-button timeline__older" type="button" data-testid="older-messages" onClick={timeline.loadOlder}>
                    Earlier messages
                  </button>
                )}
                <div className="runs">
                  {turns.map((turn) => (
                    <RunCard key={turn.runId} turn={turn} agentLabel={labelOf} openTools={openTools} now={now} onStop={stop} onRetry={(text, agent) => send(text, agent)} onApprove={approve} />
                  ))}
                </div>
                <div className="pending-list">
                  {pendingHere.map((p, index) => (
                    <div key={index} className="run run--pending">
                      <div className="bubble bubble--user bubble--pending" data-testid="pending-message">
                        {p.text}
                        <span className="bubble__note">sending…</span>
                      </div>
                    </div>
                  ))}
                </div>
              </>
            )}
          </section>
          <Composer
            ref={composer}
            running={running}
            agents={(agents?.agents ?? []).map((agent) => ({ ...agent, label: labelOf(agent.name) }))}
            defaultAgent={agents?.default}
            onSend={send}
            onStop={() => stop()}
          />
        </main>
      </div>
    </div>
  );
}

/** Now, every 250 ms while runs are in flight (the "working…" badges count). */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

/**
 * The timeline's scrolling: it follows new content while the reader is at the end, keeps
 * still when older messages are added above, and asks for them near the top.
 */
function useTimelineScroll(threadId: string | undefined, content: unknown[], loadOlder: () => void) {
  const ref = useRef<HTMLElement>(null);
  const atEnd = useRef(true);
  const keepFromBottom = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    atEnd.current = true;
  }, [threadId]);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (keepFromBottom.current !== undefined) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = undefined;
    } else if (atEnd.current) el.scrollTop = el.scrollHeight;
  }, content);
  const older = () => {
    const el = ref.current;
    if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
    loadOlder();
  };
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 120) older();
  };
  return { ref, onScroll, loadOlder: older };
}

function without(set: ReadonlySet<string>, key: string): ReadonlySet<string> {
  if (!set.has(key)) return set;
  const copy = new Set(set);
  copy.delete(key);
  return copy;
}

function withoutKey<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}
