import { z } from 'zod';
import { IF_BUSY_POLICIES, type ClientFrame, type WireErrorCode } from './types.js';

export interface InboundLimits {
  maxTextBytes: number;
  maxClientMsgIdLength: number;
}

export type InboundResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: WireErrorCode; message: string; clientMsgId?: string; runId?: string };

const id = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, { error: `${field} must not be empty` })
    .max(max, { error: `${field} must be at most ${max} characters` });

export type FrameParser = (text: string) => InboundResult;

/**
 * Builds the parser of inbound text frames for one set of limits. It never throws: every
 * bad input maps to the error code of docs/protocol.md ("Errors for bad input") with a message
 * naming the field.
 */
export function createFrameParser(limits: InboundLimits): FrameParser {
  const schemas = buildSchemas(limits);
  return (text) => parseClientFrame(text, limits, schemas);
}

function parseClientFrame(text: string, limits: InboundLimits, schemas: Schemas): InboundResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'invalid_json', message: 'frame must be a JSON object' };
  }
  const record = value as Record<string, unknown>;
  const echo = echoIds(record);
  const type = record['type'];
  if (typeof type !== 'string') {
    return { ok: false, code: 'invalid_message', message: 'type is required and must be a string', ...echo };
  }
  const schema = Object.hasOwn(schemas, type) ? schemas[type as keyof Schemas] : undefined;
  if (!schema) {
    return { ok: false, code: 'unknown_type', message: `unknown type "${type.slice(0, 64)}"`, ...echo };
  }
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'frame';
    const message = issue?.message.startsWith(field) ? issue.message : `${field}: ${issue?.message ?? 'invalid'}`;
    return { ok: false, code: 'invalid_message', message, ...echo };
  }
  if (parsed.data.type === 'user_message' && Buffer.byteLength(parsed.data.text, 'utf8') > limits.maxTextBytes) {
    return { ok: false, code: 'invalid_message', message: `text exceeds ${limits.maxTextBytes} bytes of UTF-8`, ...echo };
  }
  return { ok: true, frame: parsed.data as ClientFrame };
}

/** The bad frame's ids, echoed in its `error` reply when they are plain short strings. */
function echoIds(record: Record<string, unknown>): { clientMsgId?: string; runId?: string } {
  const out: { clientMsgId?: string; runId?: string } = {};
  const clientMsgId = record['client_msg_id'];
  const runId = record['run_id'];
  if (typeof clientMsgId === 'string' && clientMsgId.length <= 128) out.clientMsgId = clientMsgId;
  if (typeof runId === 'string' && runId.length <= 128) out.runId = runId;
  return out;
}

type Schemas = ReturnType<typeof buildSchemas>;

/** Bounds of `user_message.client_tools` (protocol 1.2): a front end offers a handful of small tools. */
export const CLIENT_TOOL_LIMITS = Object.freeze({
  maxTools: 16,
  maxDescriptionLength: 1024,
  /** Serialised JSON Schema of one tool's parameters. */
  maxParametersBytes: 8 * 1024,
});
/** `approve_tool.reason`: a sentence for the agent, not a document. */
export const MAX_REASON_LENGTH = 1000;

// The name rule of ToolRegistry (agents/tools/registry.ts) and of OpenAI-compatible tool calls.
const clientTool = z.object({
  name: z.string({ error: 'name must be a string' }).regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'name must match [a-zA-Z0-9_-]{1,64}' }),
  description: z
    .string({ error: 'description must be a string' })
    .max(CLIENT_TOOL_LIMITS.maxDescriptionLength, { error: `description must be at most ${CLIENT_TOOL_LIMITS.maxDescriptionLength} characters` }),
  parameters: z
    .record(z.string(), z.unknown(), { error: 'parameters must be a JSON Schema object' })
    .refine((schema) => Buffer.byteLength(JSON.stringify(schema), 'utf8') <= CLIENT_TOOL_LIMITS.maxParametersBytes, {
      error: `parameters must be at most ${CLIENT_TOOL_LIMITS.maxParametersBytes} bytes of JSON`,
    }),
});
const clientTools = z
  .array(clientTool, { error: 'client_tools must be an array of { name, description, parameters }' })
  .max(CLIENT_TOOL_LIMITS.maxTools, { error: `client_tools must list at most ${CLIENT_TOOL_LIMITS.maxTools} tools` })
  .refine((tools) => new Set(tools.map((t) => t.name)).size === tools.length, { error: 'client_tools: tool names must be unique' });

/** docs/protocol.md: `ping.client_ts` is a number or a string of at most 64 characters. */
export const MAX_CLIENT_TS_LENGTH = 64;
/** The verifier refuses longer tokens anyway (auth/jwt.ts); refusing here spares it the work. */
const MAX_REFRESH_TOKEN_LENGTH = 8192;

function buildSchemas(limits: InboundLimits) {
  return {
    user_message: z.object({
      type: z.literal('user_message'),
      client_msg_id: id('client_msg_id', limits.maxClientMsgIdLength),
      text: z.string({ error: 'text must be a string' }).min(1, { error: 'text must not be empty' }),
      thread_id: id('thread_id', 128).optional(),
      agent: id('agent', 64).optional(),
      if_busy: z.enum(IF_BUSY_POLICIES, { error: `if_busy must be one of ${IF_BUSY_POLICIES.join(', ')}` }).optional(),
      client_tools: clientTools.optional(),
    }),
    // protocol 1.2: the user's answer to tool_approval_requested (src/interaction/answers.ts).
    approve_tool: z.object({
      type: z.literal('approve_tool'),
      run_id: id('run_id', 128),
      tool_call_id: id('tool_call_id', 128),
      approved: z.boolean({ error: 'approved must be a boolean' }),
      reason: z.string({ error: 'reason must be a string' }).max(MAX_REASON_LENGTH, { error: `reason must be at most ${MAX_REASON_LENGTH} characters` }).optional(),
    }),
    // protocol 1.2: the front end's outcome of a client tool call, `result` or `error`.
    tool_result: z
      .object({
        type: z.literal('tool_result'),
        run_id: id('run_id', 128),
        tool_call_id: id('tool_call_id', 128),
        result: z.unknown().optional(),
        // Bounded by the frame size; the notifier cuts it to its cap like any tool error (notifier/tool-result-cap.ts).
        error: z.string({ error: 'error must be a string' }).optional(),
      })
      .refine((frame) => (frame.result === undefined) !== (frame.error === undefined), {
        error: 'result: exactly one of result or error is required',
        path: ['result'],
      }),
    stop_agent: z.object({ type: z.literal('stop_agent'), run_id: id('run_id', 128) }),
    // client_ts is echoed in the pong: bounded so a ping cannot make the server send (and buffer) large frames.
    ping: z.object({
      type: z.literal('ping'),
      client_ts: z
        .union([z.number(), z.string().max(MAX_CLIENT_TS_LENGTH)], {
          error: `client_ts must be a number or a string of at most ${MAX_CLIENT_TS_LENGTH} characters`,
        })
        .optional(),
    }),
    // protocol 1.1: a new token of the same user extends the connection's expiry (gateway/token-refresh.ts).
    refresh: z.object({
      type: z.literal('refresh'),
      token: z
        .string({ error: 'token must be a string' })
        .min(1, { error: 'token must not be empty' })
        .max(MAX_REFRESH_TOKEN_LENGTH, { error: `token must be at most ${MAX_REFRESH_TOKEN_LENGTH} characters` }),
    }),
  };
}
