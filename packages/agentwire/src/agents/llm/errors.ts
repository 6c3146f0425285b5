import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { AgentwireError } from '../../errors.js';
import type { RunErrorCode } from '../../protocol/types.js';

/**
 * A failure of the LLM agent, with the sentence a person can act on (`advice`, shown
 * as the run's `agent_error.message`) and the run error code it ends the run with.
 */
export class LlmError extends AgentwireError {
  constructor(
    code: 'AW_ERR_LLM_ENDPOINT' | 'AW_ERR_LLM_MAX_STEPS',
    readonly runCode: RunErrorCode,
    readonly advice: string,
    options?: { cause?: unknown },
  ) {
    super(code, advice, options);
  }
}

export interface EndpointFacts {
  readonly baseURL: string;
  readonly model: string;
  /** True once the endpoint answered 200 and began streaming. */
  readonly streaming: boolean;
}

/** Turns whatever the `openai` client threw into an `LlmError` that says what to do. */
export function explainEndpointError(error: unknown, facts: EndpointFacts): LlmError {
  const fail = (advice: string, runCode: RunErrorCode = 'failed') => new LlmError('AW_ERR_LLM_ENDPOINT', runCode, advice, { cause: error });
  if (error instanceof LlmError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return fail(`the model endpoint at ${facts.baseURL} did not answer in time: check that it is up and not overloaded`, 'timeout');
  }
  if (error instanceof APIConnectionError) {
    return fail(`could not reach the model endpoint at ${facts.baseURL}: check AGENTWIRE_LLM_BASE_URL and that the model server is running`);
  }
  if (error instanceof APIError && error.status !== undefined) return explainStatus(error.status, said(error), facts, fail);
  if (error instanceof APIError) {
    // An `error` object inside the stream: the endpoint gave up mid-answer and said why.
    return fail(`the model endpoint reported an error mid-answer${said(error)}: retry; if it persists, check the model server's logs`);
  }
  if (facts.streaming) {
    return fail('the model endpoint broke off the stream mid-answer (connection closed): retry; if it persists, check the model server and any proxy in between');
  }
  const detail = error instanceof Error ? error.message : String(error);
  return fail(`the request to the model endpoint at ${facts.baseURL} failed (${detail}): check AGENTWIRE_LLM_BASE_URL`);
}

function explainStatus(status: number, detail: string, facts: EndpointFacts, fail: (advice: string) => LlmError): LlmError {
  if (status === 401) return fail(`the model endpoint refused the API key (401)${detail}: check AGENTWIRE_LLM_API_KEY`);
  if (status === 403) return fail(`the model endpoint denied access (403)${detail}: check that the API key (AGENTWIRE_LLM_API_KEY) may use model "${facts.model}"`);
  if (status === 404) {
    return fail(`the model endpoint has no model "${facts.model}" or no chat completions at ${facts.baseURL} (404)${detail}: check AGENTWIRE_LLM_MODEL, and that AGENTWIRE_LLM_BASE_URL ends where /chat/completions starts (often /v1)`);
  }
  if (status === 429) return fail(`the model endpoint is rate limiting or out of quota (429)${detail}: wait a moment and retry, or check the account's limits`);
  if (status >= 500) return fail(`the model endpoint failed (${status})${detail}: retry shortly; if it persists, check the model server's logs`);
  return fail(`the model endpoint rejected the request (${status})${detail}: check that model "${facts.model}" supports streamed chat completions with tools`);
}

/** What the endpoint said, when it said something useful, as " — message". */
function said(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : undefined;
  return message ? ` — "${message.slice(0, 200)}"` : '';
}

export function maxStepsError(maxSteps: number): LlmError {
  return new LlmError(
    'AW_ERR_LLM_MAX_STEPS',
    'failed',
    `the model kept calling tools for ${maxSteps} steps without answering: ask a narrower question, or raise maxSteps`,
  );
}

export function idleTimeoutError(timeoutMs: number, facts: EndpointFacts): LlmError {
  const where = facts.streaming ? 'stopped sending mid-answer' : 'did not start answering';
  return new LlmError(
    'AW_ERR_LLM_ENDPOINT',
    'timeout',
    `the model endpoint at ${facts.baseURL} ${where} for ${timeoutMs} ms: check that it is up and not overloaded, or raise AGENTWIRE_LLM_TIMEOUT_MS`,
  );
}
