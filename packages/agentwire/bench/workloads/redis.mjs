// agentwire on the Redis engine, when the build has one (`createRedisBus`).
import * as agentwire from 'agentwire';

export async function redisStatus() {
  if (typeof agentwire.createRedisBus !== 'function') {
    return { available: false, reason: 'the built package exports no createRedisBus (src/bus/redis is not there yet)' };
  }
  return { available: false, reason: 'createRedisBus exists but the bench does not drive it yet' };
}

export async function redisRuns() {
  throw new Error('not implemented');
}
