import { describe, expect, it } from 'vitest';
import { configFromEnv, startServer } from '../../src/server.js';
import { silentLogger } from '../../src/index.js';
import { FakeOpenAi, answer } from './fake-openai.js';
import { TestClient } from '../helpers/ws-client.js';

const secret = () => 'generated-secret-0123456789abcdef0123';
const base = { AGENTWIRE_JWT_SECRET: 'x'.repeat(32), AGENTWIRE_DEV_LOGIN: 'true', PORT: '0', HOST: '127.0.0.1' };

describe('AGENTWIRE_LLM_* configuration', () => {
  it('is off without AGENTWIRE_LLM_MODEL', () => {
    expect(configFromEnv(base, secret).llm).toBeUndefined();
  });

  it('reads the endpoint, key, model and timeout', () => {
    const config = configFromEnv(
      { ...base, AGENTWIRE_LLM_BASE_URL: 'http://localhost:11434/v1', AGENTWIRE_LLM_MODEL: 'llama3.1', AGENTWIRE_LLM_API_KEY: 'k', AGENTWIRE_LLM_TIMEOUT_MS: '5000' },
      secret,
    );
    expect(config.llm).toEqual({ baseURL: 'http://localhost:11434/v1', apiKey: 'k', model: 'llama3.1', requestTimeoutMs: 5000 });
  });

  it('defaults to OpenAI when only a key and a model are given', () => {
    expect(configFromEnv({ ...base, AGENTWIRE_LLM_MODEL: 'gpt-4o-mini', AGENTWIRE_LLM_API_KEY: 'sk-x' }, secret).llm?.baseURL).toBe('https://api.openai.com/v1');
  });

  it.each([
    [{ AGENTWIRE_LLM_BASE_URL: 'http://localhost:8000/v1' }, /without AGENTWIRE_LLM_MODEL/],
    [{ AGENTWIRE_LLM_API_KEY: 'k' }, /AGENTWIRE_LLM_API_KEY set without AGENTWIRE_LLM_MODEL/],
    [{ AGENTWIRE_LLM_MODEL: 'm' }, /needs AGENTWIRE_LLM_BASE_URL .* or AGENTWIRE_LLM_API_KEY/],
    [{ AGENTWIRE_LLM_MODEL: 'm', AGENTWIRE_LLM_BASE_URL: 'localhost:8000' }, /AGENTWIRE_LLM_BASE_URL must be a http:\/\/ or https:\/\/ URL/],
    [{ AGENTWIRE_LLM_MODEL: 'm', AGENTWIRE_LLM_BASE_URL: 'http://h/v1', AGENTWIRE_LLM_TIMEOUT_MS: 'soon' }, /AGENTWIRE_LLM_TIMEOUT_MS must be a whole number/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => configFromEnv({ ...base, ...env }, secret)).toThrow(message);
  });

  it('makes the standalone server offer agent llm beside demo', async () => {
    const fake = await FakeOpenAi.start();
    const config = configFromEnv({ ...base, AGENTWIRE_LLM_BASE_URL: fake.baseURL, AGENTWIRE_LLM_MODEL: 'fake-model' }, secret);
    const running = await startServer(config, { logger: silentLogger });
    try {
      const agents = (await (await fetch(`${running.url}/agents`)).json()) as { agents: Array<{ name: string }>; default: string };
      expect(agents).toMatchObject({ agents: [{ name: 'demo' }, { name: 'llm' }], default: 'demo' });
      const { token } = (await (await fetch(`${running.url}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'ada' }) })).json()) as { token: string };
      const ws = await TestClient.connect(`${running.url.replace('http', 'ws')}/ws`, { token });
      fake.reply(answer('Hello from the model.'));
      const accepted = await ws.ask('Hi', { agent: 'llm' });
      if (accepted.type !== 'message_accepted') throw new Error(JSON.stringify(accepted));
      expect(await ws.waitForRunEnd(accepted.data.run_id)).toMatchObject({ type: 'agent_completed', data: { result: { text: 'Hello from the model.' } } });
      await ws.close();
    } finally {
      await running.close();
      await fake.close();
    }
  });
});
