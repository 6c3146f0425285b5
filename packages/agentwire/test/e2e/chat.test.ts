import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Agent } from '../../src/index.js';
import { silentLogger } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import { browserSession, screenshotPath } from './browser.js';
import { ask, signIn } from './chat-page.js';

// A browser test does several runs with paced agents; with two test files (two Chromiums)
// sharing two cores, 20 s is not enough. Every wait inside is still bounded by a condition.
vi.setConfig({ testTimeout: 90_000 });

let server: RunningServer;
const { newPage } = browserSession();
// Its own data directory: with the default ./data a second run in one checkout saw the first run's threads.
const dataDir = mkdtempSync(join(tmpdir(), 'agentwire-e2e-chat-'));

beforeAll(async () => {
  // The real standalone server (page, /ws, HTTP routes); the demo agent paced slowly enough
  // (300 ms a step) that a run is visibly in progress for a second or two.
  const config = configFromEnv({ AGENTWIRE_DEV: '1', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '300', AGENTWIRE_DATA_DIR: dataDir }, () => 'e2e-secret-0123456789abcdef0123456789');
  server = await startServer(config, { logger: silentLogger });
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function serverEvents(userId: string): Promise<StreamEvent[]> {
  return (await server.gateway.bus.log.readAfter(userId, 0)).events.map((e) => e.event);
}

describe('chat page in Chromium', () => {
  it('answers "What is 17 * 23?" with a visible calculator call and 391', async () => {
    const page = await newPage();
    await signIn(page, server.url, 'alice');
    await page.screenshot({ path: screenshotPath('chat-empty') });
    await ask(page, 'What is 17 * 23?');

    const tool = page.locator('[data-testid="tool-call"][data-tool-name="calculator"]');
    await tool.waitFor();
    const run = page.getByTestId('run');
    // Mid-run: the tool call is on screen (opened) while the run is still working.
    await tool.locator('summary').click();
    await page.screenshot({ path: screenshotPath('chat-mid-run') });
    const midRun = (await run.getAttribute('data-status')) === 'running';
    if (!midRun) console.warn('chat-mid-run.png was taken after the run ended (slow machine?)');
    await page.locator('[data-testid="run"][data-status="completed"]').waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('answer').textContent()).resolves.toContain('391');
    await expect(tool.locator('summary').textContent()).resolves.toContain('391');
    // The opened tool call stays open while the run re-renders around it.
    expect(await tool.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    await expect(tool.getByTestId('tool-args').textContent()).resolves.toContain('17 * 23');
    await expect(tool.getByTestId('tool-result').textContent()).resolves.toContain('391');
    await expect(page.getByTestId('user-message').textContent()).resolves.toBe('What is 17 * 23?');
    await expect(page.getByTestId('thread-item').count()).resolves.toBe(1);
    await page.screenshot({ path: screenshotPath('chat-golden-path') });
  });

  it('two users in two browser contexts see only their own threads', async () => {
    const [carol, dave] = [await newPage(), await newPage()];
    await signIn(carol, server.url, 'carol');
    await signIn(dave, server.url, 'dave');
    await ask(carol, 'What is 6 * 7?');
    await ask(dave, 'What is 100 - 58?');
    await carol.locator('[data-testid="run"][data-status="completed"]').waitFor({ timeout: 15_000 });
    await dave.locator('[data-testid="run"][data-status="completed"]').waitFor({ timeout: 15_000 });

    const titles = async (page: typeof carol) => page.getByTestId('thread-item').allTextContents();
    expect((await titles(carol)).join()).toContain('What is 6 * 7?');
    expect((await titles(carol)).join()).not.toContain('100 - 58');
    expect((await titles(dave)).join()).toContain('What is 100 - 58?');
    expect((await titles(dave)).join()).not.toContain('6 * 7');
    expect(await carol.locator('body').textContent()).not.toContain('100 - 58');
    expect(await dave.locator('body').textContent()).not.toContain('6 * 7');
    await carol.screenshot({ path: screenshotPath('chat-user-carol') });
    await dave.screenshot({ path: screenshotPath('chat-user-dave') });
  });

  it('survives the server dropping its sockets mid-run: the whole answer, exactly once', async () => {
    const page = await newPage();
    await signIn(page, server.url, 'erin');
    const opened = server.gateway.stats.connectionsOpened;
    const states: string[] = [];
    await page.exposeFunction('reportState', (s: string) => states.push(s));
    await page.evaluate(() => {
      const target = document.querySelector('.header__status')!;
      new MutationObserver(() => {
        const state = target.querySelector('[data-state]')?.getAttribute('data-state');
        if (state) (window as unknown as { reportState(s: string): void }).reportState(state);
      }).observe(target, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    // Cut the user's sockets from the server side at two points of the run, chosen by what the
    // server appends (not by timing): at the first tool call, then at the first later event
    // once the page has reconnected, so both cuts land mid-run on different sockets.
    const scope = server.gateway.scopeFor({ userId: 'erin' });
    const cut = new Set<unknown>();
    let cuts = 0;
    const follow = server.gateway.bus.log.subscribe('erin', ({ event }) => {
      if (event.type === 'agent_completed' || event.type === 'agent_error' || cuts === 2) return;
      if (cuts === 0 && event.type !== 'tool_executing') return;
      const live = [...scope.connections].filter((c) => !cut.has(c));
      if (live.length === 0) return;
      for (const connection of live) {
        cut.add(connection);
        connection.socket.terminate();
      }
      cuts++;
    });
    await follow.ready;
    await ask(page, 'What is 12 * 12 and what is 7 + 8?');

    await page.locator('[data-testid="run"][data-status="completed"]').waitFor({ timeout: 20_000 });
    const events = await serverEvents('erin');
    const completed = events.find((e): e is StreamEvent<'agent_completed'> => e.type === 'agent_completed')!;
    expect(await page.getByTestId('run').count()).toBe(1);
    expect(await page.getByTestId('answer').count()).toBe(1);
    expect(await page.getByTestId('answer').textContent()).toBe(completed.data.result.text);
    expect(completed.data.result.text).toContain('144');
    expect(completed.data.result.text).toContain('15');
    expect(await page.getByTestId('tool-call').count()).toBe(events.filter((e) => e.type === 'tool_executing').length);
    expect(await page.getByTestId('thinking').count()).toBe(events.filter((e) => e.type === 'agent_thinking').length);
    expect(server.gateway.stats.connectionsOpened - opened).toBeGreaterThanOrEqual(2);
    expect(states).toContain('reconnecting');
    expect(cuts).toBe(2);
    follow.close();
    await page.screenshot({ path: screenshotPath('chat-after-reconnect') });
  });

  it('lets the user pick another agent when the server offers several', async () => {
    const shout: Agent = {
      name: 'shout',
      description: 'Repeats the message in capitals',
      async run(input, { notifier }) {
        await notifier.delta(input.text.toUpperCase());
      },
    };
    const config = configFromEnv({ AGENTWIRE_DEV: '1', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '0', AGENTWIRE_DATA_DIR: dataDir }, () => 'e2e-secret-0123456789abcdef0123456789');
    const two = await startServer(config, { logger: silentLogger, extraAgents: [shout] });
    try {
      const page = await newPage();
      await signIn(page, two.url, 'frank');
      const picker = page.getByTestId('agent-select');
      await picker.waitFor();
      expect(await picker.locator('option').allTextContents()).toEqual(['demo', 'shout']);
      expect(await picker.inputValue()).toBe('demo');
      await picker.selectOption('shout');
      await ask(page, 'quiet please');
      await page.locator('[data-testid="run"][data-status="completed"]').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('answer').textContent()).toBe('QUIET PLEASE');
      const events = (await two.gateway.bus.log.readAfter('frank', 0)).events.map((e) => e.event);
      expect(events.find((e) => e.type === 'agent_started')?.data).toEqual({ agent_name: 'shout' });
      await page.screenshot({ path: screenshotPath('chat-agent-picker') });
    } finally {
      await two.close();
    }
  });
});
