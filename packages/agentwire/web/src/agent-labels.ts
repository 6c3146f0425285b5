import type { AgentInfo } from '../../src/react.js';

/**
 * The name people see for an agent. The LLM agent is registered as `llm` (its routing name)
 * and describes itself as answering 'with the language model "<model>"': people see the
 * model's name. Other agents are shown by their name as registered, not re-capitalised.
 */
export function agentLabel(agent: AgentInfo): string {
  const model = /language model "([^"]+)"/.exec(agent.description ?? '')?.[1];
  return model ?? agent.name;
}
