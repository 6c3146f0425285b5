import type { StreamHead } from '../bus/types.js';

export type ResumeRequest = { kind: 'live' } | { kind: 'resume'; afterSeq: number | undefined; epoch: string | undefined };

/** Reads `?last_seq=&epoch=`; a malformed `last_seq` is kept as `undefined` (it answers `resume_gap`). */
export function resumeRequest(url: URL): ResumeRequest {
  const raw = url.searchParams.get('last_seq');
  if (raw === null) return { kind: 'live' };
  const afterSeq = /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
  return { kind: 'resume', afterSeq, epoch: url.searchParams.get('epoch') ?? undefined };
}

/** Whether the history after `afterSeq` of this stream life is still complete. */
export function canResume(request: ResumeRequest & { kind: 'resume' }, head: StreamHead): request is { kind: 'resume'; afterSeq: number; epoch: string } {
  return (
    request.afterSeq !== undefined &&
    request.epoch === head.epoch &&
    request.afterSeq <= head.lastSeq &&
    request.afterSeq >= head.oldestSeq - 1
  );
}
