import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/bus/redis/keys.js';
import type { RedisBus } from '../../src/redis.js';
import { purgeAndClose, requireRedisBus } from '../redis/support/redis-env.js';

/** User ids an attacker can choose as `sub`, built from the separators of the key names. */
const crafted = ['victim', 'victim}:notes', 'victim}:msg:Z', '{victim}', 'victim:', 'victim%7D', 'vic}tim', 'victim}'];

/** Every per-user key and channel name of one user id. */
function namesOf(keys: RedisKeys, userId: string): string[] {
  return [
    keys.meta(userId),
    keys.endedRuns(userId),
    keys.events(userId),
    keys.live(userId),
    keys.ticketsOf(userId),
    keys.message(userId, 'c'),
  ];
}

describe('redis key names (issue 12, browser-facing)', () => {
  let bus: RedisBus;
  beforeAll(async () => {
    bus = await requireRedisBus();
  });
  afterAll(async () => {
    await purgeAndClose(bus);
  });

  it('finding: identifiers in Redis key names are encoded, so no crafted user id can name another user\'s key', () => {
    const keys = new RedisKeys('aw:');
    const owner = new Map<string, string>();
    for (const userId of crafted) {
      for (const name of namesOf(keys, userId)) {
        expect(owner.get(name), `${name} of ${userId}`).toBeUndefined();
        owner.set(name, userId);
      }
      // The hash tag (first {...}) is the whole user id, so a user's keys share exactly its slot.
      expect(keys.meta(userId)).toMatch(/^aw:\{[^{}]+\}:meta$/);
    }
  });

  it('finding: on the real Redis, a crafted user id cannot claim another user\'s message id', async () => {
    const victim = `victim-${process.pid}`;
    // Unencoded, `{<attacker>}:msg:c` was `{victim}:msg:Z}:msg:c`, the victim's key for message id `Z}:msg:c`.
    const attacker = `${victim}}:msg:Z`;
    const stolen = await bus.messages.claim(attacker, 'c', { threadId: 'thr_attacker', runId: 'run_attacker' });
    expect(stolen.fresh).toBe(true);
    const mine = await bus.messages.claim(victim, 'Z}:msg:c', { threadId: 'thr_victim', runId: 'run_victim' });
    expect(mine).toEqual({ fresh: true, threadId: 'thr_victim', runId: 'run_victim' });
  });

  it("finding: on the real Redis, crafted user ids keep their own tickets (notes now live in the store, keyed by column, not by name)", async () => {
    const base = `tickets-${process.pid}`;
    const ids = crafted.map((id) => id.replace('victim', base));
    const tickets = await Promise.all(ids.map((id) => bus.tickets.issue(id, 60_000, Date.now() + 600_000)));
    const redeemed = await Promise.all(tickets.map((t) => bus.tickets.redeem(t.ticket)));
    expect(redeemed.map((r) => r?.userId)).toEqual(ids);
  });
});
