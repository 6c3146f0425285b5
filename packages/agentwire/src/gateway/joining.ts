import type { EventLog } from '../bus/types.js';
import { replyFrame } from '../protocol/frames.js';
import { PROTOCOL_VERSION } from '../protocol/types.js';
import type { Connection } from './connection.js';
import { canResume, resumeRequest } from './resume.js';

/** Sends `connection_established`, the resume replay or `resume_gap`, then goes live. */
export async function joinStream(connection: Connection, url: URL, log: EventLog, heartbeatMs: number): Promise<void> {
  const request = resumeRequest(url);
  const read =
    request.kind === 'resume'
      ? await log.readAfter(connection.userId, request.afterSeq ?? 0)
      : { ...(await log.head(connection.userId)), events: [] };
  const resumed = request.kind === 'resume' && canResume(request, read);
  connection.reply(
    replyFrame('connection_established', {
      connection_id: connection.id,
      user_id: connection.userId,
      protocol: PROTOCOL_VERSION,
      last_seq: read.lastSeq,
      epoch: read.epoch,
      resumed,
      heartbeat_ms: heartbeatMs,
    }),
  );
  if (resumed) {
    connection.goLive(request.afterSeq, read.events);
    return;
  }
  if (request.kind === 'resume') {
    connection.reply(replyFrame('resume_gap', { requested_after: request.afterSeq ?? 0, oldest_available: read.oldestSeq, epoch: read.epoch }));
  }
  connection.goLive(read.lastSeq);
}
