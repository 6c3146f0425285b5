import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { runChaos, summaryLine, type ChaosReport } from './scenario.js';

/**
 * The chaos scenario, run for minutes (`npm run soak`): rounds of the CI scenario with a
 * fresh server and fresh users each, seeds 1, 2, 3, ..., until SOAK_SECONDS have passed.
 * Each round is checked like the CI test; the totals are the summary line. Not a `.test.ts`
 * file, so the normal suite never runs it.
 */
const seconds = positive('SOAK_SECONDS', 120);
const users = positive('SOAK_USERS', 20);
const runsPerRound = positive('SOAK_RUNS_PER_ROUND', 1000);
const engineName = process.env['SOAK_ENGINE'] ?? 'memory';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

it(`soak: ${seconds} s of chaos rounds (${engineName} engine)`, async () => {
  const engine = testEngines().find((e) => e.name === engineName);
  if (!engine) throw new Error(`SOAK_ENGINE must be one of ${testEngines().map((e) => e.name).join(', ')}`);
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const rounds: ChaosReport[] = [];
  for (let seed = 1; Date.now() < deadline; seed++) {
    rounds.push(
      await runChaos({
        engine,
        seed,
        users,
        tabsPerUser: 3,
        runs: runsPerRound,
        durationMs: Math.max(1000, deadline - Date.now()),
        concurrency: 12,
        dropChance: 0.3,
        retentionEvents: runsPerRound * 40,
      }),
    );
  }
  const total: ChaosReport = {
    durationMs: Date.now() - started,
    users: users * rounds.length,
    tabs: rounds.reduce((n, r) => n + r.tabs, 0),
    runs: rounds.reduce((n, r) => n + r.runs, 0),
    events: rounds.reduce((n, r) => n + r.events, 0),
    drops: rounds.reduce((n, r) => n + r.drops, 0),
    losses: rounds.reduce((n, r) => n + r.losses, 0),
    leaks: rounds.reduce((n, r) => n + r.leaks, 0),
    problems: rounds.flatMap((r) => r.problems),
  };
  const line = `${summaryLine(total)} rounds=${rounds.length} engine=${engineName}`;
  const out = process.env['SOAK_SUMMARY_FILE'];
  if (out) writeFileSync(out, `${JSON.stringify({ line, problems: total.problems.slice(0, 50) })}\n`);
  expect(total.problems.slice(0, 20)).toEqual([]);
  expect(total.losses + total.leaks).toBe(0);
});
