import { describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { createMetricsRegistry } from '../../src/server/metrics.js';

/** Only what the registry reads at scrape time. */
function stubGateway(): Gateway {
  const stats = new Proxy({ runsEnded: {} }, { get: (target, key) => (key in target ? target[key as 'runsEnded'] : 0) });
  return {
    stats,
    health: () => ({ connections: 0, users: 0, runs_active: 0 }),
    bus: { health: () => 'ok' },
  } as unknown as Gateway;
}

describe('process metrics', () => {
  it('carry the agentwire_ prefix once: agentwire_process_…, never agentwire_process_process_…', async () => {
    const text = await createMetricsRegistry(stubGateway()).metrics();
    const names = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[^\s{]+/.exec(l)![0]));
    expect([...names].some((n) => n.startsWith('agentwire_process_cpu_'))).toBe(true);
    expect([...names].some((n) => n.startsWith('agentwire_nodejs_'))).toBe(true);
    expect([...names].filter((n) => n.includes('process_process') || n.includes('process_nodejs'))).toEqual([]);
  });
});
