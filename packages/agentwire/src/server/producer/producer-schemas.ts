import { z } from 'zod';

/**
 * The request bodies of the producer API (docs/producers.md), validated by zod so that a
 * malformed body is a 400 naming the field and never reaches the notifier.
 */

const id = z.string().min(1).max(256);
/** Per event, chosen by the producer: the same key again appends nothing and answers the first result. */
const key = z.string().min(1).max(200);
const RUN_ERROR_CODES = ['failed', 'cancelled', 'timeout', 'shutdown'] as const;

export const startRunBody = z.strictObject({
  user_id: id,
  /** Omitted: a new thread. */
  thread_id: id.optional(),
  /** Per user: the same id again starts nothing and answers the first run's ids. */
  client_msg_id: z.string().min(1).max(128).optional(),
  /** Shown in `agent_started.agent_name`. */
  agent_name: z.string().min(1).max(64).default('producer'),
  /** The user's message, when the run answers one; omitted for an agent-initiated run. */
  text: z.string().min(1).optional(),
  /** Title of the thread this run creates, when there is no `text` to take it from. */
  title: z.string().min(1).max(200).optional(),
});

/** The golden-path events a producer may append (docs/protocol.md); `agent_started` is the start itself. */
export const producerEvent = z.discriminatedUnion('type', [
  z.strictObject({ key, type: z.literal('agent_thinking'), data: z.strictObject({ text: z.string() }) }),
  z.strictObject({ key, type: z.literal('agent_message_delta'), data: z.strictObject({ delta: z.string() }) }),
  z.strictObject({
    key,
    type: z.literal('tool_executing'),
    data: z.strictObject({ tool_call_id: z.string().min(1).max(200), tool_name: z.string().min(1).max(200), args: z.unknown() }),
  }),
  z.strictObject({
    key,
    type: z.literal('tool_completed'),
    data: z.union([
      z.strictObject({ tool_call_id: z.string().min(1).max(200), result: z.unknown() }),
      z.strictObject({ tool_call_id: z.string().min(1).max(200), error: z.string() }),
    ]),
  }),
  z.strictObject({ key, type: z.literal('agent_completed'), data: z.strictObject({}).default({}) }),
  z.strictObject({
    key,
    type: z.literal('agent_error'),
    data: z.strictObject({ code: z.enum(RUN_ERROR_CODES).default('failed'), message: z.string().min(1).max(2048) }),
  }),
]);

export type ProducerEvent = z.infer<typeof producerEvent>;

export const appendBody = z.strictObject({
  user_id: id,
  events: z.array(producerEvent).min(1).max(500),
});

export const endRunBody = z.strictObject({
  user_id: id,
  /** Idempotency key of the terminal event; defaults to `end`, so a retried end ends once. */
  key: key.default('end'),
  status: z.enum(['completed', 'error']),
  code: z.enum(RUN_ERROR_CODES).default('failed'),
  message: z.string().min(1).max(2048).optional(),
});

/** A zod failure as one line naming the field, for the 400 answer. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}
