import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { connect } from '../../src/client.js';
import { silentLogger } from '../../src/index.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import { browserSession, screenshotPath } from './browser.js';
import { ask, signIn } from './chat-page.js';

// A browser test does several runs with paced agents; with two test files (two Chromiums)
// sharing two cores, 20 s is not enough. Every wait inside is still bounded by a condition.
vi.setConfig({ testTimeout: 90_000 });

// Issue 11 point 6, the page's side of durable history: the routes of docs/protocol.md
// "History" (GET /threads/:id/messages, PATCH and DELETE /threads/:id, thread_updated /
// thread_deleted) and the SQLite store under a data directory, seen through the chat page.

let dataDir: string;
let server: RunningServer | undefined;
let port = 0;
const { newContext } = browserSession();
const SECRET = () => 'e2e-history-secret-0123456789abcdef0123';

/** The standalone server on a fixed port and data directory, as `npm start` runs it. */
async function start(): Promise<RunningServer> {
  const config = configFromEnv({ AGENTWIRE_DEV: '1', PORT: String(port), HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '100', AGENTWIRE_DATA_DIR: dataDir }, SECRET);
  server = await startServer(config, { logger: silentLogger });
  port = Number(new URL(server.url).port);
  return server;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'agentwire-history-e2e-'));
  await start();
  const { token } = (await (await fetch(`${server!.url}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'probe' }) })).json()) as { token: string };
  const list = (await (await fetch(`${server!.url}/threads`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
  // Protocol 1.1's mark: a server without it fails this file, it is never skipped.
  if (!('next_cursor' in list)) throw new Error('the server has no protocol 1.1 history routes (GET /threads without next_cursor)');
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const completedRuns = (page: Page, n: number) =>
  page.waitForFunction((count) => document.querySelectorAll('[data-testid="run"][data-status="completed"]').length === count, n, { timeout: 20_000 });

describe('durable history on the page', () => {
  it('after a server restart, a reload shows the same conversation', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, server!.url, 'hist-ann');
    await ask(page, 'What is 17 * 23?');
    await completedRuns(page, 1);
    await ask(page, 'Remember that the launch is on Friday');
    await completedRuns(page, 2);
    const before = {
      url: page.url(),
      questions: await page.getByTestId('user-message').allTextContents(),
      answers: await page.getByTestId('answer').allTextContents(),
      tools: await page.getByTestId('tool-call').count(),
    };
    expect(before.url).toMatch(/#\/t\/thr_/);

    await server!.close();
    await start(); // same port, same data directory, a new stream (epoch)
    await page.reload();
    await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: 15_000 });
    await completedRuns(page, 2);
    expect(page.url()).toBe(before.url);
    expect(await page.getByTestId('user-message').allTextContents()).toEqual(before.questions);
    expect(await page.getByTestId('answer').allTextContents()).toEqual(before.answers);
    expect(await page.getByTestId('tool-call').count()).toBe(before.tools);
    expect(await page.getByTestId('thread-item').count()).toBe(1);

    // And the conversation goes on after the restart, in the same thread.
    await ask(page, 'What is 2 + 2?');
    await completedRuns(page, 3);
    expect(await page.getByTestId('answer').last().textContent()).toContain('4');
    await page.screenshot({ path: screenshotPath('history-after-restart') });
  });

  it('a rename in one tab shows in the other; a delete removes the thread from both', async () => {
    const context = await newContext();
    const [one, two] = [await context.newPage(), await context.newPage()];
    await signIn(one, server!.url, 'hist-ben');
    await ask(one, 'What is 6 * 7?');
    await completedRuns(one, 1);
    await two.goto(one.url()); // the same browser: signed in, on the same thread
    await completedRuns(two, 1);

    one.once('dialog', (dialog) => void dialog.accept('Forty-two'));
    await one.getByTestId('rename-thread').first().click();
    await one.getByTestId('thread-title').filter({ hasText: 'Forty-two' }).waitFor();
    await two.getByTestId('thread-title').filter({ hasText: 'Forty-two' }).waitFor();

    const threadUrl = one.url();
    two.once('dialog', (dialog) => void dialog.accept());
    await two.getByTestId('delete-thread').first().click();
    for (const page of [one, two]) {
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="thread-item"]').length === 0);
      await page.getByTestId('empty-state').waitFor();
    }
    // The deleted thread's URL no longer opens it.
    const stale = await context.newPage();
    await stale.goto(threadUrl);
    await stale.getByTestId('error-message').filter({ hasText: 'does not exist' }).waitFor();
    await stale.getByTestId('empty-state').waitFor();
  });

  it('a long thread (more than one page of history) is shown whole, each message once, back to its first question', async () => {
    // 55 runs (110 messages) in one thread, written through the SDK: more than one page.
    const { token } = (await (await fetch(`${server!.url}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'hist-cal' }) })).json()) as { token: string };
    const sdk = connect({ url: `${server!.url.replace(/^http/, 'ws')}/ws`, token });
    let threadId: string;
    try {
      threadId = (await sdk.run('What is 0 + 1?').result).threadId;
      for (let batch = 1; batch < 55; batch += 5) {
        const runs = Array.from({ length: Math.min(5, 55 - batch) }, (_, i) => sdk.run(`What is ${batch + i} + 1?`, { threadId }).result);
        await Promise.all(runs);
      }
    } finally {
      sdk.close();
    }
    const page = await (await newContext()).newPage();
    await page.goto(server!.url);
    await page.getByTestId('login-name').fill('hist-cal');
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor();
    await page.goto(`${server!.url}/#/t/${encodeURIComponent(threadId)}`);
    // More than one page: the route pages (next_before), and the page pulls the older pages in
    // as the conversation is scrolled back to its start.
    const newest = (await (await fetch(`${server!.url}/threads/${encodeURIComponent(threadId)}/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      messages: unknown[];
      next_before: string | null;
    };
    expect(newest.messages).toHaveLength(100);
    expect(newest.next_before).not.toBeNull();
    await page.getByTestId('timeline').evaluate((el) => el.scrollTo({ top: 0, behavior: 'instant' }));
    await completedRuns(page, 55);
    expect(await page.getByTestId('user-message').first().textContent()).toBe('What is 0 + 1?');
    expect(await page.getByTestId('older-messages').count()).toBe(0);
    const questions = await page.getByTestId('user-message').allTextContents();
    expect(new Set(questions).size).toBe(55); // nothing missing, nothing twice
  });
});
