import type { BaselineEntry } from '../baseline.js';
import type { Score, Violation } from '../types.js';

/** Everything a formatter needs; formatters only format. */
export interface Report {
  version: string;
  fileCount: number;
  /** All current violations, baselined or not. */
  violations: Violation[];
  /** Violations not covered by the baseline: the ones that fail the run. */
  fresh: Violation[];
  stale: BaselineEntry[];
  /** Findings silenced inline by `guard-ignore-next-line`, with the comment's reason. */
  suppressed: Array<{ violation: Violation; reason: string }>;
  /** Baseline file used, relative to the config folder. */
  baseline?: string;
  score: Score;
  /** Percentage the overall score must reach, when --min-score was given. */
  minScore?: number;
  passed: boolean;
}

export const RULE_HELP: Record<Violation['rule'], { summary: string; help: string }> = {
  'non-canonical-import': {
    summary: 'A guarded symbol is imported from a module other than its canonical one.',
    help: 'Import guarded symbols only from their canonical module. Judged by the resolved declaration, so aliases, re-export barrels, tsconfig paths and relative paths into other packages are all caught. `agentwire-guard --fix` rewrites these imports.',
  },
  'duplicate-implementation': {
    summary: 'A structural copy of a guarded class or function, or another implementation of a guarded interface, inside the symbol\'s scope.',
    help: 'Delete the parallel implementation and use the canonical one.',
  },
  'factory-bypass': {
    summary: 'A factory-only class is constructed with `new` outside its factory.',
    help: 'Call the factory instead of constructing the class; the factory is where per-scope wiring happens.',
  },
  'shared-state': {
    summary: 'Mutable, shared module state (let/var, static mutable fields, guarded instances, containers that are written, exported or handed out) in a folder where state must be per scope.',
    help: 'Keep state in objects created per scope by the factory, or make module-level values immutable (as const, Object.freeze, Readonly types).',
  },
  'deprecated-path': {
    summary: 'A symbol deprecated by the guard config or by a @deprecated JSDoc tag is used.',
    help: 'Use the configured replacement, or follow the @deprecated note.',
  },
  'invalid-suppression': {
    summary: 'A guard-ignore-next-line comment without a reason, or naming an unknown rule.',
    help: 'Write `// guard-ignore-next-line <rule>: <reason>`; a suppression without a reason does not suppress.',
  },
  'unused-suppression': {
    summary: 'A guard-ignore-next-line comment that suppresses nothing.',
    help: 'Delete the comment: the finding it was written for is gone.',
  },
};
