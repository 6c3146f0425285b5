import type { ESLint, Linter, Rule } from 'eslint';
import { RULE_IDS, VERSION } from '@agentwire/guard';
import { createRule } from './rule.js';

const rules: Record<string, Rule.RuleModule> = Object.fromEntries(RULE_IDS.map((id) => [id, createRule(id)]));

const plugin: ESLint.Plugin & { configs: Record<string, Linter.Config> } = {
  meta: { name: '@agentwire/eslint-plugin-guard', version: VERSION },
  rules,
  configs: {},
};

/** Every guard rule as an error, under the plugin prefix `@agentwire/guard`. */
plugin.configs.recommended = {
  plugins: { '@agentwire/guard': plugin },
  rules: Object.fromEntries(RULE_IDS.map((id) => [`@agentwire/guard/${id}`, 'error'])),
};

export default plugin;
