import { randomBytes } from 'node:crypto';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { AgentwireError } from '../../errors.js';
import type { RunErrorCode } from '../../protocol/types.js';

/**
 * A failure of the LLM agent, told twice: `advice` is the operator's detail (endpoint URL,
 * variable to check, what the endpoint said) and is the error's `message`, so it reaches the
 * server log and nowhere else; `userMessage` is the short sentence the end user sees in
 * `agent_error.message`, with a `reference` they can quote and the operator can grep for.
 * The user never sees a URL (it may carry credentials), a variable name or upstream text.
 */
export class LlmError extends AgentwireError {
  /** Quoted in both the user's message and the log line, e.g. `llm-4f7q2c9a`. */
  readonly reference = `llm-${randomBytes(4).toString('hex')}`;

  constructor(
    code: 'AW_ERR_LLM_ENDPOINT' | 'AW_ERR_LLM_MAX_STEPS',
    readonly runCode: RunErrorCode,
    /** What the end user is told, without the reference: one short sentence. */
    readonly summary: string,
    readonly advice: string,
    options?: { cause?: unknown },
  ) {
    super(code, advice, options);
  }

  /** `agent_error.message`: the summary and the reference, nothing from the operator's side. */
  get userMessage(): string {
    return `${this.summary} (reference ${this.reference})`;
  }
}

/** The sentences end users see; kept few, so the page and the docs can name them. */
export const USER_MESSAGES = {
  unreachable: 'The model could not be reached. Please try again in a moment.',
  slow: 'The model did not answer in time. Please try again.',
  brokeOff: 'The model stopped answering part-way. Please try again.',
  busy: 'The model is busy right now. Please try again in a moment.',
  misconfigured: 'The model is not set up correctly. Please tell the operator.',
  loop: 'The model kept using tools without answering. Try a narrower question.',
} as const;

export interface EndpointFacts {
  readonly baseURL: string;
  readonly model: string;
  /** True once the endpoint answered 200 and began streaming. */
  readonly streaming: boolean;
}

type Fail = (summary: string, advice: string, runCode?: RunErrorCode) => LlmError;

/** Turns whatever the `openai` client threw into an `LlmError` that says what to do. */
export function explainEndpointError(error: unknown, facts: EndpointFacts): LlmError {
  const fail: Fail = (summary, advice, runCode = 'failed') => new LlmError('AW_ERR_LLM_ENDPOINT', runCode, summary, advice, { cause: error });
  if (error instanceof LlmError) return error;
  const at = redact(facts.baseURL);
  if (error instanceof APIConnectionTimeoutError) {
    return fail(USER_MESSAGES.slow, `the model endpoint at ${at} did not answer in time: check that it is up and not overloaded`, 'timeout');
  }
  if (error instanceof APIConnectionError) {
    return fail(USER_MESSAGES.unreachable, `could not reach the model endpoint at ${at}: check AGENTWIRE_LLM_BASE_URL and that the model server is running`);
  }
  if (error instanceof APIError && error.status !== undefined) return explainStatus(error.status, said(error), { ...facts, baseURL: at }, fail);
  if (error instanceof APIError) {
    // An `error` object inside the stream: the endpoint gave up mid-answer and said why.
    return fail(USER_MESSAGES.brokeOff, `the model endpoint reported an error mid-answer${said(error)}: retry; if it persists, check the model server's logs`);
  }
  if (facts.streaming) {
    return fail(USER_MESSAGES.brokeOff, 'the model endpoint broke off the stream mid-answer (connection closed): retry; if it persists, check the model server and any proxy in between');
  }
  const detail = error instanceof Error ? error.message : String(error);
  return fail(USER_MESSAGES.unreachable, `the request to the model endpoint at ${at} failed (${detail}): check AGENTWIRE_LLM_BASE_URL`);
}

function explainStatus(status: number, detail: string, facts: EndpointFacts, fail: Fail): LlmError {
  if (status === 401) return fail(USER_MESSAGES.misconfigured, `the model endpoint refused the API key (401)${detail}: check AGENTWIRE_LLM_API_KEY`);
  if (status === 403) {
    return fail(USER_MESSAGES.misconfigured, `the model endpoint denied access (403)${detail}: check that the API key (AGENTWIRE_LLM_API_KEY) may use model "${facts.model}"`);
  }
  if (status === 404) {
    return fail(
      USER_MESSAGES.misconfigured,
      `the model endpoint has no model "${facts.model}" or no chat completions at ${facts.baseURL} (404)${detail}: check AGENTWIRE_LLM_MODEL, and that AGENTWIRE_LLM_BASE_URL ends where /chat/completions starts (often /v1)`,
    );
  }
  if (status === 429) return fail(USER_MESSAGES.busy, `the model endpoint is rate limiting or out of quota (429)${detail}: wait a moment and retry, or check the account's limits`);
  if (status >= 500) return fail(USER_MESSAGES.unreachable, `the model endpoint failed (${status})${detail}: retry shortly; if it persists, check the model server's logs`);
  return fail(USER_MESSAGES.misconfigured, `the model endpoint rejected the request (${status})${detail}: check that model "${facts.model}" supports streamed chat completions with tools`);
}

/** What the endpoint said, when it said something useful, as " — message" (for the log only). */
function said(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : undefined;
  return message ? ` — "${message.slice(0, 200)}"` : '';
}

/** A base URL without its user:password, so not even the log holds credentials. */
export function redact(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    if (!url.username && !url.password) return baseURL;
    url.username = '***';
    url.password = '';
    return url.toString();
  } catch {
    return baseURL;
  }
}

export function maxStepsError(maxSteps: number): LlmError {
  return new LlmError(
    'AW_ERR_LLM_MAX_STEPS',
    'failed',
    USER_MESSAGES.loop,
    `the model kept calling tools for ${maxSteps} steps without answering: ask a narrower question, or raise maxSteps`,
  );
}

export function idleTimeoutError(timeoutMs: number, facts: EndpointFacts): LlmError {
  const where = facts.streaming ? 'stopped sending mid-answer' : 'did not start answering';
  return new LlmError(
    'AW_ERR_LLM_ENDPOINT',
    'timeout',
    facts.streaming ? USER_MESSAGES.brokeOff : USER_MESSAGES.slow,
    `the model endpoint at ${redact(facts.baseURL)} ${where} for ${timeoutMs} ms: check that it is up and not overloaded, or raise AGENTWIRE_LLM_TIMEOUT_MS`,
  );
}
