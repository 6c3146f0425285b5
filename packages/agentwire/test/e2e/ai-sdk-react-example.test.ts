import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { silentLogger } from '../../src/index.js';
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
const { newContext } = browserSession();

beforeAll(async () => {
  // The demo agent paced at 300 ms a step, so an answer is in flight long enough to reload mid-answer.
  const config = configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_STORE: 'memory', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '300' }, () => 'e2e-secret-0123456789abcdef0123456789');
  server = await startServer(config, { logger: silentLogger });
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

async function signIn(page: Page, name: string): Promise<void> {
  await page.goto(app.url);
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
    await signIn(page, 'sdk-ben');
    const midRun = serverAppended('sdk-ben', 'tool_executing');
    await ask(page, 'What is 17 * 23?');
    await midRun;
    const chatUrl = page.url();
    expect(new URL(chatUrl).hash.length).toBeGreaterThan(1);

    const other = await context.newPage();
    await other.goto(chatUrl);
    await page.reload();
    for (const tab of [page, other]) await answered(tab, '17 * 23 = 391');
    expect(page.url()).toBe(chatUrl);
    // The whole answer, once: the replay is not appended to a partial copy.
    for (const tab of [page, other]) {
      expect(await tab.locator('[data-role="assistant"]').count()).toBe(1);
      expect((await tab.getByTestId('answer').allTextContents()).join('').match(/391/g)?.length).toBe(1);
    }
    const completed = (await server.gateway.bus.log.readAfter('sdk-ben', 0)).events.map((e) => e.event).filter((e) => e.type === 'agent_completed');
    expect(completed).toHaveLength(1);
  });
});
