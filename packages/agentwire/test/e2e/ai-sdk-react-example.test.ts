import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { createDemoAgent, silentLogger, type Agent } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import { browserSession, screenshotPath } from './browser.js';
import { serveExample, typeErrors, type ServedExample } from './example-apps.js';

// examples/ai-sdk-react: an AI SDK `useChat` app whose transport is the `ai` package's
// WebSocketChatTransport at agentwire's /ai-sdk/ws, built and served as its README says,
// against the standalone server, in Chromium (issue 14: "In Chromium: ...").
vi.setConfig({ testTimeout: 90_000 });

let server: RunningServer;
let app: ServedExample;

/**
 * The demo agent, held before its answer until the test releases it: a reload and a second
 * tab then surely land mid-answer (no timing), and the answer is still the demo's.
 */
let release: () => void = () => {};
const demo = createDemoAgent({ delayMs: 0 });
const heldDemo: Agent = {
  name: 'held-demo',
  async run(input, context) {
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The demo agent does not await its deltas (coalescing, Notifier.delta), so each one is
    // held here and the run ends only once they are appended: the terminal event comes after.
    const held: Promise<unknown>[] = [];
    const notifier = new Proxy(context.notifier, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== 'delta' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          const appended = gate.then(() => (value as (...a: unknown[]) => unknown).apply(target, args));
          held.push(appended);
          return appended;
        };
      },
    });
    await demo.run(input, { ...context, notifier });
    await gate;
    await Promise.all(held);
  },
};
const { newContext } = browserSession();

beforeAll(async () => {
  const config = configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_STORE: 'memory', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '0' }, () => 'e2e-secret-0123456789abcdef0123456789');
  server = await startServer(config, { logger: silentLogger, extraAgents: [heldDemo] });
  app = await serveExample('ai-sdk-react', server.url);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await server?.close();
});

/** Resolves when the user's stream has an event of `type` (what the server appended, not a timer). */
function serverAppended(userId: string, type: StreamEvent['type']): Promise<void> {
  return new Promise((resolve) => {
    const subscription = server.gateway.bus.log.subscribe(userId, ({ event }) => {
      if (event.type !== type) return;
      subscription.close();
      resolve();
    });
  });
}

async function signIn(page: Page, name: string, query = ''): Promise<void> {
  await page.goto(app.url + query);
  await page.getByTestId('name').fill(name);
  await page.getByTestId('name').press('Enter');
  await page.getByTestId('input').waitFor();
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByTestId('input').fill(text);
  await page.getByTestId('input').press('Enter');
}

/** The chat is idle again (useChat's `status` is `ready`) and its last answer says `text`. */
async function answered(page: Page, text: string): Promise<void> {
  await page.locator('[data-testid="chat"][data-status="ready"] [data-testid="answer"]', { hasText: text }).waitFor({ timeout: 20_000 });
}

describe('examples/ai-sdk-react', () => {
  it('type-checks against the ai and @ai-sdk/react packages', () => {
    expect(typeErrors('ai-sdk-react')).toBe('');
  });

  it('useChat answers "What is 17 * 23?" with "17 * 23 = 391"', async () => {
    const page = await (await newContext()).newPage();
    await signIn(page, 'sdk-ann');
    await ask(page, 'What is 17 * 23?');
    await answered(page, '17 * 23 = 391');
    expect(await page.locator('[data-role="user"]').textContent()).toContain('What is 17 * 23?');
    expect(await page.getByTestId('tool').first().textContent()).toContain('391');
    await page.screenshot({ path: screenshotPath('ai-sdk-react-answer') });
  });

  it('survives a reload mid-answer (resume: true replays the answer in flight), and a second tab on the chat sees it', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'sdk-ben', '?agent=held-demo');
    const toolDone = serverAppended('sdk-ben', 'tool_completed');
    await ask(page, 'What is 17 * 23?');
    await toolDone; // the answer is held: the run is in flight until release()
    await page.getByTestId('tool').filter({ hasText: '391' }).waitFor();
    const chatUrl = page.url();
    expect(new URL(chatUrl).hash.length).toBeGreaterThan(1);

    // A second tab on the same chat, and a reload of the first: both rejoin the run in flight.
    const other = await context.newPage();
    await other.goto(chatUrl);
    await page.reload();
    for (const tab of [page, other]) {
      await tab.locator('[data-testid="chat"][data-status="streaming"] [data-testid="tool"]', { hasText: '391' }).waitFor();
      expect(await tab.getByTestId('answer').count()).toBe(0);
    }
    release();
    for (const tab of [page, other]) await answered(tab, '17 * 23 = 391');
    expect(page.url()).toBe(chatUrl);
    // The whole answer, once: the replay is not appended to a partial copy.
    for (const tab of [page, other]) {
      expect(await tab.locator('[data-role="assistant"]').count()).toBe(1);
      expect(await tab.getByTestId('answer').allTextContents()).toEqual(['17 * 23 = 391.']);
    }
    const completed = (await server.gateway.bus.log.readAfter('sdk-ben', 0)).events.map((e) => e.event).filter((e) => e.type === 'agent_completed');
    expect(completed).toHaveLength(1);
  });
});
