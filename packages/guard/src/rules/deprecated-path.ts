import { makeViolation, type RuleContext, type RuleOutput } from './context.js';

/** Every use of a deprecated symbol, by any alias; uses of its replacement count as the canonical path. */
export function deprecatedPath(ctx: RuleContext): RuleOutput {
  const output: RuleOutput = { rule: 'deprecated-path', checked: 0, violations: [] };
  for (const facts of ctx.facts) {
    for (const reference of facts.references) {
      if (ctx.targets.replacements.has(reference.target)) {
        output.checked++;
        continue;
      }
      const target = ctx.targets.deprecated.get(reference.target);
      if (!target) continue;
      output.checked++;
      const alias = reference.node.text === target.name ? '' : ` (as ${reference.node.text})`;
      // A readable reference (`name from './module.js'`), not the config's `path#name`.
      const ref = target.replacementRef;
      const replacement = ref ? `${ref.name} from '${ctx.specifiers.specifierFor(facts.file, ref.module)}'` : target.replacement;
      output.violations.push(
        makeViolation(
          'deprecated-path',
          facts,
          reference.node,
          target.name,
          `${target.name}${alias} is deprecated${replacement ? `; use ${replacement}` : ''}`,
          replacement ? `replace it with ${replacement}` : `stop using ${target.name}`,
        ),
      );
    }
  }
  return output;
}
