import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { GuardError } from './errors.js';
import { RULE_IDS, type RuleId, type Violation } from './types.js';

export const BASELINE_FILE = 'guard.baseline.json';

export interface BaselineEntry {
  rule: RuleId;
  file: string;
  symbol: string;
  fingerprint: string;
  /** Where it was when recorded; informative only, matching ignores it. */
  line: number;
  message: string;
}

export interface Baseline {
  version: 1;
  entries: BaselineEntry[];
}

export interface BaselineComparison {
  /** Violations not in the baseline: these fail the run. */
  fresh: Violation[];
  /** Violations the baseline already records. */
  known: Violation[];
  /** Baseline entries that no longer occur: the baseline can shrink. */
  stale: BaselineEntry[];
}

export function createBaseline(violations: readonly Violation[]): Baseline {
  return {
    version: 1,
    entries: violations.map(({ rule, file, symbol, fingerprint, line, message }) => ({ rule, file, symbol, fingerprint, line, message })),
  };
}

/**
 * Writes the baseline. With `scope` (the files a partial run such as --staged checked), only
 * those files' entries are replaced; every other file keeps its entries.
 */
export function writeBaseline(path: string, violations: readonly Violation[], scope?: ReadonlySet<string>): number {
  const fresh = createBaseline(violations);
  const kept = scope ? (readBaseline(path)?.entries ?? []).filter((entry) => !scope.has(entry.file)) : [];
  const baseline: Baseline = { version: 1, entries: [...kept, ...fresh.entries] };
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline.entries.length;
}

/** The part of a baseline about some files: what a partial run can judge. */
export function restrictBaseline(baseline: Baseline | undefined, scope: ReadonlySet<string> | undefined): Baseline | undefined {
  if (!baseline || !scope) return baseline;
  return { version: 1, entries: baseline.entries.filter((entry) => scope.has(entry.file)) };
}

function isEntry(value: unknown): value is BaselineEntry {
  const entry = value as Partial<BaselineEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.rule === 'string' &&
    (RULE_IDS as readonly string[]).includes(entry.rule) &&
    typeof entry.file === 'string' &&
    typeof entry.fingerprint === 'string'
  );
}

export function readBaseline(path: string): Baseline | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new GuardError('BASELINE_INVALID', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const baseline = raw as Partial<Baseline> | null;
  if (!baseline || baseline.version !== 1 || !Array.isArray(baseline.entries) || !baseline.entries.every(isEntry)) {
    throw new GuardError('BASELINE_INVALID', `${path} is not a guard baseline (rewrite it with --write-baseline)`);
  }
  return baseline as Baseline;
}

/** Matches as multisets by fingerprint: two identical violations need two baseline entries. */
export function compareBaseline(violations: readonly Violation[], baseline: Baseline | undefined): BaselineComparison {
  if (!baseline) return { fresh: [...violations], known: [], stale: [] };
  const remaining = new Map<string, BaselineEntry[]>();
  for (const entry of baseline.entries) {
    const list = remaining.get(entry.fingerprint) ?? [];
    list.push(entry);
    remaining.set(entry.fingerprint, list);
  }
  const comparison: BaselineComparison = { fresh: [], known: [], stale: [] };
  for (const violation of violations) {
    const match = remaining.get(violation.fingerprint)?.pop();
    (match ? comparison.known : comparison.fresh).push(violation);
  }
  comparison.stale = [...remaining.values()].flat();
  return comparison;
}
