import type { Rule } from 'eslint';
import { RULE_HELP, type RuleId } from '@agentwire/guard';
import { findingsFor, type TypedProgram } from './analysis-cache.js';

interface RuleOptions {
  /** guard.config.json (or a package.json with a "guard" key), relative to ESLint's cwd. */
  config?: string;
}

function programOf(context: Rule.RuleContext): TypedProgram {
  const services = context.sourceCode.parserServices as { program?: TypedProgram | null } | undefined;
  if (!services?.program) {
    throw new Error(
      `@agentwire/guard rules need type information: use typescript-eslint's parser with parserOptions.projectService or parserOptions.project (${context.filename})`,
    );
  }
  return services.program;
}

/** One ESLint rule per guard rule id; each reports that id's findings from the shared analysis. */
export function createRule(id: RuleId): Rule.RuleModule {
  return {
    meta: {
      type: 'problem',
      docs: { description: RULE_HELP[id].summary },
      schema: [{ type: 'object', properties: { config: { type: 'string' } }, additionalProperties: false }],
      messages: { finding: '{{message}} (fix: {{fix}})' },
    },
    create(context) {
      const options = (context.options[0] ?? {}) as RuleOptions;
      return {
        Program() {
          const findings = findingsFor(programOf(context), context.filename, context.cwd, options.config);
          for (const violation of findings?.violations ?? []) {
            if (violation.rule !== id) continue;
            context.report({
              loc: { line: violation.line, column: violation.column - 1 },
              messageId: 'finding',
              data: { message: violation.message, fix: violation.fix },
            });
          }
        },
      };
    },
  };
}
