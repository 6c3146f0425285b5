import { describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { runChaos } from './scenario.js';

/** Fixed, so that a failure replays the same decisions (timing still varies). */
const SEED = 3;

describe.each(testEngines())('chaos: 20 users, 3 tabs each, 200 runs, random drops and resumes ($name engine)', (engine) => {
  it(
    'every tab ends with its user’s whole stream, no frame of another user, every run’s golden path complete',
    async () => {
      const report = await runChaos({
        engine,
        seed: SEED,
        users: 20,
        tabsPerUser: 3,
        runs: 200,
        concurrency: 12,
        dropChance: 0.5,
        retentionEvents: 5000,
      });
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ runs: 200, tabs: 60, losses: 0, leaks: 0 });
      // The chaos really happened: sockets were dropped, and every run produced events.
      expect(report.drops).toBeGreaterThan(50);
      expect(report.events).toBeGreaterThan(200 * 5);
    },
    60_000,
  );
});
