import { describe, expect, it } from 'vitest';
import type { StreamHead } from '../../src/bus/types.js';
import { canResume, resumeRequest, type ResumeRequest } from '../../src/gateway/resume.js';

const url = (query: string) => new URL(`ws://host/ws${query}`);
const head: StreamHead = { epoch: 'e1', lastSeq: 50, oldestSeq: 11 };

const resume = (query: string): ResumeRequest & { kind: 'resume' } => {
  const request = resumeRequest(url(query));
  if (request.kind !== 'resume') throw new Error(`expected a resume request for ${query}`);
  return request;
};

describe('resumeRequest', () => {
  it('without last_seq the connection is live only', () => {
    expect(resumeRequest(url(''))).toEqual({ kind: 'live' });
    expect(resumeRequest(url('?epoch=e1'))).toEqual({ kind: 'live' });
  });

  it('reads last_seq and epoch', () => {
    expect(resumeRequest(url('?last_seq=17&epoch=e1'))).toEqual({ kind: 'resume', afterSeq: 17, epoch: 'e1' });
    expect(resumeRequest(url('?last_seq=0'))).toEqual({ kind: 'resume', afterSeq: 0, epoch: undefined });
  });

  it.each(['', '-1', '1.5', '1e3', 'abc', ' 5', '0x10', '1234567890123456'])('a malformed last_seq %j is kept as undefined', (raw) => {
    expect(resume(`?last_seq=${encodeURIComponent(raw)}&epoch=e1`).afterSeq).toBeUndefined();
  });
});

describe('canResume', () => {
  it.each([
    ['the newest seq', '?last_seq=50&epoch=e1'],
    ['just before the oldest retained', '?last_seq=10&epoch=e1'],
    ['in the middle', '?last_seq=30&epoch=e1'],
  ])('resumes from %s', (_what, query) => {
    expect(canResume(resume(query), head)).toBe(true);
  });

  it.each([
    ['another epoch', '?last_seq=30&epoch=e0'],
    ['a missing epoch', '?last_seq=30'],
    ['an empty epoch', '?last_seq=30&epoch='],
    ['a malformed last_seq', '?last_seq=x&epoch=e1'],
    ['a last_seq above the newest', '?last_seq=51&epoch=e1'],
    ['a last_seq older than retained', '?last_seq=9&epoch=e1'],
  ])('answers resume_gap for %s', (_what, query) => {
    expect(canResume(resume(query), head)).toBe(false);
  });

  it('an empty stream resumes from 0 of its own epoch only', () => {
    const empty: StreamHead = { epoch: 'fresh', lastSeq: 0, oldestSeq: 1 };
    expect(canResume(resume('?last_seq=0&epoch=fresh'), empty)).toBe(true);
    expect(canResume(resume('?last_seq=0&epoch=old'), empty)).toBe(false);
    expect(canResume(resume('?last_seq=1&epoch=fresh'), empty)).toBe(false);
  });

  it('a stream whose whole history expired resumes only from its newest seq', () => {
    const expired: StreamHead = { epoch: 'e1', lastSeq: 50, oldestSeq: 51 };
    expect(canResume(resume('?last_seq=50&epoch=e1'), expired)).toBe(true);
    expect(canResume(resume('?last_seq=49&epoch=e1'), expired)).toBe(false);
  });
});
