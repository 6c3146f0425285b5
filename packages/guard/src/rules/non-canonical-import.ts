import { relativePath, samePath } from '../paths.js';
import { moduleTarget } from '../targets.js';
import { makeViolation, type ImportFix, type RuleContext, type RuleOutput } from './context.js';

/** Judges where an import *resolves*, so aliases, barrels and `paths` entries cannot hide a deep import. */
export function nonCanonicalImport(ctx: RuleContext): RuleOutput {
  const output: RuleOutput = { rule: 'non-canonical-import', checked: 0, violations: [], fixes: [] };
  for (const facts of ctx.facts) {
    for (const use of facts.imports) {
      const target = ctx.targets.guarded.get(use.target);
      if (!target) continue;
      // The canonical module and the files implementing it have to reach the declaration somehow.
      if (samePath(facts.file.fileName, target.canonicalFile) || target.isInternal(facts.rel)) continue;
      output.checked++;
      const resolvesToCanonical = use.moduleFile !== undefined && samePath(use.moduleFile, target.canonicalFile);
      const textMatches = !target.config.specifier || use.specifierText === target.config.specifier;
      if (resolvesToCanonical && textMatches) continue;
      const specifier = ctx.specifiers.specifierFor(facts.file, moduleTarget(target));
      const resolved = use.moduleFile ? ` (resolves to ${relativePath(ctx.config.root, use.moduleFile)})` : '';
      const alias = use.localName === target.name ? '' : ` as ${use.localName}`;
      const verb = use.kind === 'reexport' ? 're-exported' : 'imported';
      const violation = makeViolation(
        'non-canonical-import',
        facts,
        use.node,
        target.name,
        `${target.name}${alias} is ${verb} from '${use.specifierText}'${resolved} instead of its canonical module '${specifier}'`,
        use.kind === 'namespace'
          ? `import { ${target.name} } from '${specifier}' and use it instead of ${use.localName}`
          : `${verb === 'imported' ? 'import' : 're-export'} it from '${specifier}' (agentwire-guard --fix does this)`,
      );
      output.violations.push(violation);
      if (use.kind !== 'namespace') {
        const fix: ImportFix = { violation, facts, use, exportName: target.name, specifier };
        output.fixes?.push(fix);
      }
    }
  }
  return output;
}
