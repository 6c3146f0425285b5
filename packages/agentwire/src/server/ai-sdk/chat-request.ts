import { safeValidateUIMessages, type UIMessage } from 'ai';
import type { GatewayRunRequest } from '../../gateway/gateway.js';
import { clientThreadId, clientThreadIdProblem } from '../client-thread-ids.js';

/** What an AI SDK chat request (a WebSocket `send` or `POST /ai-sdk/chat`) carries. */
export interface ChatSend {
  readonly id: string;
  readonly trigger: string;
  readonly messages: readonly UIMessage[];
  /** The transport's `body` option; agentwire reads `agent` from it. */
  readonly body: object;
}

export type ChatRunInput = { ok: true; request: GatewayRunRequest & { clientMsgId: string } } | { ok: false; message: string };

/** The UI message id becomes the run's `client_msg_id` (`ai-sdk:<id>`, at most 128 characters). */
const MAX_MESSAGE_ID = 100;

/**
 * The run a chat request asks for: the text of its last message (the user's new one) in
 * the chat's thread. Earlier messages are not re-sent to the agent: the thread's memory
 * is agentwire's own, as for AG-UI. The message id deduplicates: the same message sent
 * again rejoins its run instead of starting a second one.
 */
export function chatRunInput(userId: string, send: ChatSend): ChatRunInput {
  const badId = clientThreadIdProblem('id', send.id);
  if (badId) return { ok: false, message: badId };
  if (send.trigger !== 'submit-message') return { ok: false, message: `trigger: only submit-message is supported (got ${send.trigger}); send the message again instead` };
  const last = send.messages.at(-1);
  if (last?.role !== 'user') return { ok: false, message: "messages: the last message must be the user's new message" };
  if (last.id.length === 0 || last.id.length > MAX_MESSAGE_ID) return { ok: false, message: `messages: the last message's id must be 1 to ${MAX_MESSAGE_ID} characters` };
  const text = last.parts
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n')
    .trim();
  if (!text) return { ok: false, message: 'messages: the last message needs a text part' };
  const agent: unknown = (send.body as { agent?: unknown }).agent;
  if (agent !== undefined && typeof agent !== 'string') return { ok: false, message: 'body.agent: must be an agent name' };
  const thread = clientThreadId(userId, send.id);
  return { ok: true, request: { text, agent, threadId: thread.threadId, createThread: thread.mayCreate, clientMsgId: `ai-sdk:${last.id}` } };
}

/**
 * `POST /ai-sdk/chat`'s body as `DefaultChatTransport` sends it (`id`, `messages`,
 * `trigger`, `messageId` and the `body` option's fields beside them), its messages checked
 * with the AI SDK's own validator.
 */
export async function parseChatBody(value: unknown): Promise<{ ok: true; send: ChatSend } | { ok: false; message: string }> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'body: must be a JSON object' };
  const { id, trigger, messages, messageId: _messageId, ...body } = value as Record<string, unknown>;
  if (typeof id !== 'string') return { ok: false, message: 'id: must be the chat id (a string)' };
  if (typeof trigger !== 'string') return { ok: false, message: 'trigger: must be submit-message' };
  const validated = await safeValidateUIMessages({ messages });
  if (!validated.success) return { ok: false, message: `messages: ${validated.error.message}` };
  return { ok: true, send: { id, trigger, messages: validated.data, body } };
}
