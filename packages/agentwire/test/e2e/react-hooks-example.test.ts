import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import { browserSession } from './browser.js';
import { serveExample, typeErrors, type ServedExample } from './example-apps.js';

// examples/react-hooks: the app on agentwire/react, built and served as its README says,
// against the standalone server, in Chromium.
vi.setConfig({ testTimeout: 90_000 });

let server: RunningServer;
let app: ServedExample;
const { newContext } = browserSession();

beforeAll(async () => {
  // The demo agent paced at 300 ms a step, so a run is in flight long enough to reload mid-answer.
  const config = configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_STORE: 'memory', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '300' }, () => 'e2e-secret-0123456789abcdef0123456789');
  server = await startServer(config, { logger: silentLogger });
  app = await serveExample('react-hooks', server.url);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await server?.close();
});

const completedText = async (userId: string): Promise<string[]> =>
  (await server.gateway.bus.log.readAfter(userId, 0)).events.map((e) => e.event).filter((e): e is StreamEvent<'agent_completed'> => e.type === 'agent_completed').map((e) => e.data.result.text);

describe('examples/react-hooks', () => {
  it('type-checks against the built package', () => {
    expect(typeErrors('react-hooks')).toBe('');
  });

  it('answers "What is 17 * 23?" with the calculator; a reload mid-answer and a second tab show the same thread, the answer once', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(app.url);
    await page.getByTestId('name').fill('hooks-ann');
    await page.getByTestId('name').press('Enter');
    await page.locator('[data-testid="state"]', { hasText: 'connected' }).waitFor();
    await page.getByTestId('input').fill('What is 17 * 23?');
    await page.getByTestId('input').press('Enter');
    await page.waitForURL(/#thr_/);
    await page.getByTestId('tool').first().waitFor();
    expect(await page.getByTestId('turn').getAttribute('data-status')).toBe('running');

    const other = await context.newPage();
    await other.goto(page.url());
    await page.reload();
    for (const tab of [page, other]) {
      await tab.locator('[data-testid="turn"][data-status="completed"]').waitFor({ timeout: 20_000 });
      expect(await tab.getByTestId('turn').count()).toBe(1);
      expect(await tab.getByTestId('answer').textContent()).toBe((await completedText('hooks-ann'))[0]);
      expect(await tab.getByTestId('tool').textContent()).toContain('391');
    }
    expect(await page.getByTestId('answer').textContent()).toContain('17 * 23 = 391');
  });
});
