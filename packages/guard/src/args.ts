import { parseArgs } from 'node:util';
import { GuardError } from './errors.js';

export type Format = 'human' | 'json' | 'sarif';

export interface CliOptions {
  config?: string;
  format: Format;
  output?: string;
  fix: boolean;
  dryRun: boolean;
  minScore?: number;
  baseline?: string;
  writeBaseline: boolean;
  staged: boolean;
  /** Reuse cached findings of unchanged files (default); --no-cache turns it off. */
  cache: boolean;
  color?: boolean;
  help: boolean;
  version: boolean;
}

export const USAGE = `Usage: agentwire-guard [options]

Checks that guarded symbols have a single source of truth, resolving every
import through the TypeScript type checker.

Options:
  -c, --config <file>     guard.config.json, or a package.json with a "guard" key
                          (default: ./guard.config.json, then ./package.json)
  -f, --format <format>   human (default), json or sarif
  -o, --output <file>     write the report to a file instead of stdout
      --fix               rewrite non-canonical imports to the canonical module
      --dry-run           with --fix (or alone): print the diff, change nothing
      --min-score <pct>   fail when the overall compliance score is below pct (0-100)
      --baseline <file>   baseline file (default: guard.baseline.json next to the config)
      --write-baseline    record today's violations in the baseline and exit 0
      --staged            report only on files staged in git (pre-commit)
      --no-cache          re-check every file (default: reuse the findings of files
                          whose content and imports did not change, cached in
                          node_modules/.cache/agentwire-guard next to the config)
      --color, --no-color force colours on or off (default: on when stdout is a TTY)
  -h, --help              show this help
  -v, --version           show the version

Exit codes: 0 clean, 1 violations (or score below --min-score), 2 usage or config error.
`;

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        fix: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'min-score': { type: 'string' },
        baseline: { type: 'string' },
        'write-baseline': { type: 'boolean' },
        staged: { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new GuardError('USAGE', (error as Error).message);
  }
  const values = parsed.values;
  const format = values.format ?? 'human';
  if (format !== 'human' && format !== 'json' && format !== 'sarif') {
    throw new GuardError('USAGE', `--format must be human, json or sarif (got "${format}")`);
  }
  let minScore: number | undefined;
  if (values['min-score'] !== undefined) {
    const text = values['min-score'].replace(/%$/, '');
    minScore = Number(text);
    if (text.trim() === '' || !Number.isFinite(minScore) || minScore < 0 || minScore > 100) {
      throw new GuardError('USAGE', `--min-score must be a percentage between 0 and 100 (got "${values['min-score']}")`);
    }
  }
  if (values['write-baseline'] && (values.fix || values['dry-run'])) {
    throw new GuardError('USAGE', '--write-baseline cannot be combined with --fix or --dry-run');
  }
  return {
    ...(values.config !== undefined ? { config: values.config } : {}),
    format,
    ...(values.output !== undefined ? { output: values.output } : {}),
    fix: values.fix ?? false,
    dryRun: values['dry-run'] ?? false,
    ...(minScore !== undefined ? { minScore } : {}),
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
    writeBaseline: values['write-baseline'] ?? false,
    staged: values.staged ?? false,
    cache: !values['no-cache'],
    ...(values['no-color'] ? { color: false } : values.color ? { color: true } : {}),
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
