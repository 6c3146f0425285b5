import { AgentwireError } from '../errors.js';
import type { ReplyDataMap, RunErrorCode, StreamEvent, WireErrorCode } from '../protocol/types.js';

/** The server answered a frame with `error` (e.g. `forbidden`, `too_many_runs`). */
export class ServerRejectionError extends AgentwireError {
  readonly wireCode: WireErrorCode;
  readonly reply: ReplyDataMap['error'];

  constructor(reply: ReplyDataMap['error']) {
    super('AW_ERR_CLIENT_REJECTED', `${reply.code}: ${reply.message}`);
    this.wireCode = reply.code;
    this.reply = reply;
  }
}

/** A run ended with `agent_error` (failed, cancelled, timeout, shutdown). */
export class RunFailedError extends AgentwireError {
  readonly runCode: RunErrorCode;
  readonly event: StreamEvent<'agent_error'>;

  constructor(event: StreamEvent<'agent_error'>) {
    super('AW_ERR_CLIENT_RUN_FAILED', `${event.data.code}: ${event.data.message}`);
    this.runCode = event.data.code;
    this.event = event;
  }
}
