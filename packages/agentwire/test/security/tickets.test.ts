import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenVerifier, Bus } from '../../src/index.js';
import { MAX_PENDING_TICKETS_PER_USER } from '../../src/bus/types.js';
import { authenticateUpgrade } from '../../src/gateway/authenticate.js';
import { testEngines } from '../helpers/engines.js';

let users = 0;
const user = (): string => `sec-ticket-${process.pid}-${++users}`;

/** Tickets only: a token reaching the verifier would be a test bug. */
const noTokens: TokenVerifier = {
  verify: () => Promise.reject(new Error('no token expected')),
};

const upgrade = { headers: {} } as IncomingMessage;

describe.each(testEngines())('tickets ($name engine)', (engine) => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await engine.create({});
  });
  afterAll(async () => {
    await bus.close();
  });

  it('finding: a ticket socket ends at the exp of the token that bought the ticket', async () => {
    const u = user();
    const tokenExpiresAtMs = Date.now() + 600_000;
    const { ticket } = await bus.tickets.issue(u, 30_000, tokenExpiresAtMs);
    const url = new URL(`ws://127.0.0.1/ws?ticket=${ticket}`);
    const outcome = await authenticateUpgrade(upgrade, url, { verifier: noTokens, tickets: bus.tickets, allowQueryToken: false });
    // expiresAtMs is what arms the gateway's 4001 timer; undefined meant "never".
    expect(outcome).toEqual({ ok: true, userId: u, expiresAtMs: tokenExpiresAtMs });
  });

  it('finding: a ticket never outlives the token that bought it', async () => {
    const u = user();
    const tokenExpiresAtMs = Date.now() + 5_000;
    const { ticket, expiresAt } = await bus.tickets.issue(u, 60_000, tokenExpiresAtMs);
    expect(expiresAt.getTime()).toBe(tokenExpiresAtMs);
    expect(await bus.tickets.redeem(ticket)).toEqual({ userId: u, expiresAtMs: tokenExpiresAtMs });
    expect(await bus.tickets.redeem(ticket), 'single use').toBeUndefined();
  });

  it(`finding: pending tickets are capped per user (${MAX_PENDING_TICKETS_PER_USER}; issuing more drops the one that expires first)`, async () => {
    const u = user();
    const other = user();
    const otherTicket = (await bus.tickets.issue(other, 60_000, Date.now() + 600_000)).ticket;
    const issued: string[] = [];
    // Increasing lifetimes make "the one that expires first" the first issued, whatever the clock does.
    for (let i = 0; i <= MAX_PENDING_TICKETS_PER_USER; i++) issued.push((await bus.tickets.issue(u, 60_000 + i * 1000, Date.now() + 600_000)).ticket);
    const redeemed = await Promise.all(issued.map((t) => bus.tickets.redeem(t)));
    expect(redeemed[0], 'the oldest ticket was dropped').toBeUndefined();
    expect(redeemed.slice(1).every((r) => r?.userId === u)).toBe(true);
    expect((await bus.tickets.redeem(otherTicket))?.userId, "another user's ticket is untouched").toBe(other);
  });
});
