import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { allow, HttpError, json, pathSegment, readJson } from '../http-io.js';
import type { ProducerCredentials } from './producer-credentials.js';
import type { ProducerRuns } from './producer-runs.js';
import { appendBody, describeIssues, endRunBody, startRunBody, type ProducerEvent } from './producer-schemas.js';
import type { AppendOutcome, RemoteRun } from './remote-run.js';

/** A batch of events with tool results (each capped at 64 KB by the notifier) fits. */
const MAX_APPEND_BODY_BYTES = 4 * 1024 * 1024;
const MAX_STOP_WAIT_MS = 60_000;

export interface ProducerApi {
  readonly credentials: ProducerCredentials;
  readonly runs: ProducerRuns;
}

/**
 * The producer API (docs/producers.md): `/producer/runs...`, for agents outside the process.
 * Answers true when it served the request.
 */
export async function serveProducerRoutes(api: ProducerApi, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const { pathname } = url;
  if (pathname !== '/producer/runs' && !pathname.startsWith('/producer/runs/')) return false;
  const method = req.method ?? 'GET';
  await api.credentials.check(req);
  if (pathname === '/producer/runs') {
    allow(method, 'POST');
    const body = parse(startRunBody, await readJson(req, MAX_APPEND_BODY_BYTES));
    const started = await api.runs.start(body);
    json(res, started.fresh ? 201 : 200, started);
    return true;
  }
  const match = /^\/producer\/runs\/([^/]{1,300})\/(events|end|stop)$/.exec(pathname);
  if (!match) throw new HttpError(404, 'not_found', `no route for ${method} ${pathname}`);
  const runId = pathSegment(match[1]!, 'run id');
  switch (match[2]) {
    case 'events': {
      allow(method, 'POST');
      const body = parse(appendBody, await readJson(req, MAX_APPEND_BODY_BYTES));
      const run = await api.runs.find(runId, body.user_id);
      answerAppend(res, await run.append(body.events));
      return true;
    }
    case 'end': {
      allow(method, 'POST');
      const body = parse(endRunBody, await readJson(req));
      const run = await api.runs.find(runId, body.user_id);
      const terminal: ProducerEvent =
        body.status === 'completed'
          ? { key: body.key, type: 'agent_completed', data: {} }
          : { key: body.key, type: 'agent_error', data: { code: body.code, message: body.message ?? 'the agent failed' } };
      answerAppend(res, await run.append([terminal]));
      return true;
    }
    default: {
      allow(method, 'GET');
      const run = await api.runs.find(runId, requiredQuery(url, 'user_id'));
      await answerStop(res, run, waitParam(url));
      return true;
    }
  }
}

function answerAppend(res: ServerResponse, outcome: AppendOutcome): void {
  if (outcome.ok) return json(res, 200, { appended: outcome.results, stop_requested: false });
  if (outcome.kind === 'golden_path') {
    return json(res, 409, {
      error: { code: 'golden_path', rule: outcome.rule, message: `event ${outcome.refusedKey}: ${outcome.message}; it and the events after it were not appended` },
      appended: outcome.results,
      stop_requested: false,
    });
  }
  json(res, 409, {
    error: { code: 'run_stopped', message: `the run ended without its producer (${outcome.reason.code}: ${outcome.reason.message}); stop working on it` },
    appended: outcome.results,
    stop_requested: true,
    reason: outcome.reason,
  });
}

async function answerStop(res: ServerResponse, run: RemoteRun, waitMs: number): Promise<void> {
  const reason = await run.waitForStop(waitMs);
  json(res, 200, reason ? { stop_requested: true, reason } : { stop_requested: false });
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'invalid_request', describeIssues(parsed.error));
  return parsed.data;
}

function requiredQuery(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (!value || value.length > 256) throw new HttpError(400, 'invalid_request', `${name}: required query parameter`);
  return value;
}

function waitParam(url: URL): number {
  const raw = url.searchParams.get('wait_ms');
  if (raw === null) return 0;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > MAX_STOP_WAIT_MS) throw new HttpError(400, 'invalid_request', `wait_ms must be an integer from 0 to ${MAX_STOP_WAIT_MS}`);
  return value;
}
