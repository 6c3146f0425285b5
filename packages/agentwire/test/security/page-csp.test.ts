import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import { ensureWebBuilt, launchChromium } from '../e2e/browser.js';
import { ask, signIn } from '../e2e/chat-page.js';

// Issue 12, "Browser-facing": the built page, served with its Content-Security-Policy, works in
// Chromium, and Chromium reports no violation (a blocked inline style or script would show here).
vi.setConfig({ testTimeout: 90_000 });

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  await ensureWebBuilt();
  browser = await launchChromium();
  const config = configFromEnv({ AGENTWIRE_DEV: '1', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_STORE: 'memory', AGENTWIRE_DEMO_DELAY_MS: '0' }, () => 'csp-secret-0123456789abcdef0123456789');
  server = await startServer(config, { logger: silentLogger });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the chat page under its CSP', () => {
  it('finding: the page satisfies its Content-Security-Policy: sign-in, a run over /ws and Markdown, with no violation', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) violations.push(message.text());
      });
      const response = await page.goto(server.url);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await signIn(page, server.url, 'csp-user');
      await ask(page, 'What is 17 * 23?');
      await page.locator('[data-testid="run"][data-status="completed"]').waitFor({ timeout: 30_000 });
      await expect(page.getByTestId('answer').textContent()).resolves.toContain('391');
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
