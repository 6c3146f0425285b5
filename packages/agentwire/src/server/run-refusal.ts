import type { WireErrorCode } from '../protocol/types.js';
import { HttpError } from './http-io.js';

/**
 * The HTTP answer to a run `gateway.startRun` refused, for every HTTP door that starts runs
 * (`POST /agui`, `POST /ai-sdk/chat`): the status of docs/protocol.md ("HTTP") and the body
 * `{"error": {code, message}}`.
 */
export function runRefusal(code: WireErrorCode, message: string, threadField: string): HttpError {
  switch (code) {
    case 'forbidden':
      // As over HTTP everywhere: another user's thread and a missing one look the same.
      return new HttpError(404, 'not_found', `${threadField}: no such thread of yours`);
    case 'too_many_runs':
      return new HttpError(429, code, message);
    case 'unavailable':
      return new HttpError(503, code, message);
    case 'invalid_message':
      return new HttpError(400, code, message);
    default:
      return new HttpError(500, 'internal', message);
  }
}
