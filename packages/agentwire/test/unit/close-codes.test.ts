import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLOSE_POLICY, CloseCode, closePolicy } from '../../src/protocol/close-codes.js';
import { tableUnder } from '../helpers/markdown-table.js';

// As Fastify checks its errors against its doc: the policy table and docs/protocol.md's
// "Close codes" table say the same, row for row.
const protocolDoc = readFileSync(new URL('../../../../docs/protocol.md', import.meta.url), 'utf8');

describe('the close-code policy', () => {
  const [header, ...rows] = tableUnder(protocolDoc, 'Close codes');

  it("matches docs/protocol.md's table: the same codes, meanings and advice", () => {
    expect(header).toEqual(['code', 'meaning', 'client should']);
    const documented = rows.map(([code, meaning, clientShould]) => ({ code: Number(code), meaning, clientShould }));
    const policy = Object.values(CLOSE_POLICY).map(({ code, meaning, clientShould }) => ({ code, meaning, clientShould }));
    expect(policy).toEqual(documented);
  });

  it('is what CloseCode and closePolicy read', () => {
    for (const [name, policy] of Object.entries(CLOSE_POLICY)) {
      expect(CloseCode[name as keyof typeof CloseCode]).toBe(policy.code);
      expect(closePolicy(policy.code)).toBe(policy);
    }
    expect(closePolicy(1006)).toBeUndefined();
  });

  it('gives every code that stops the client an error to stop with', () => {
    for (const policy of Object.values(CLOSE_POLICY)) {
      if (policy.action === 'stop' || policy.action === 'refresh-token') expect('clientError' in policy, String(policy.code)).toBe(true);
    }
  });
});
