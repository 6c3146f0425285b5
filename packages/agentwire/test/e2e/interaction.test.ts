import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { silentLogger } from '../../src/index.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { DESKTOP, browserSession, screenshotPath } from './browser.js';
import { ask, askAgent, signIn } from './chat-page.js';
import { DATA_AGENT, dataAgent, holdAgent } from './test-agents.js';

// Protocol 1.2 on the chat page (docs/protocol.md "Interaction (protocol 1.2)"): queued
// messages, agent_data parts, usage, approvals across tabs, the page's client tool. Several tabs per test on two shared cores: 90 s, while
// every wait inside is bounded by a condition on the page.
vi.setConfig({ testTimeout: 90_000 });

let server: RunningServer;
const { newPage } = browserSession();

beforeAll(async () => {
  const config = configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_STORE: 'memory', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '100' }, () => 'e2e-secret-0123456789abcdef0123456789');
  server = await startServer(config, { logger: silentLogger, extraAgents: [holdAgent, dataAgent] });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const runOf = (page: Page, text: string) => page.locator('[data-testid="run"]', { has: page.getByTestId('user-message').getByText(text, { exact: true }) });

/** A second tab of the same user, showing the thread open in `first`. */
async function secondTab(first: Page, name: string): Promise<Page> {
  const page = await newPage();
  await signIn(page, server.url, name);
  await page.getByTestId('thread-item').first().click();
  await page.getByTestId('run').first().waitFor();
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(new URL(first.url()).pathname + new URL(first.url()).search);
  return page;
}

describe('busy threads: a message sent while a run is in flight', () => {
  it('is marked queued in every tab and after a reload, then runs when the earlier run ends', async () => {
    const tab = await newPage();
    await signIn(tab, server.url, 'queue-quinn');
    await askAgent(tab, 'hold', 'first question');
    await runOf(tab, 'first question').getByTestId('answer').getByText('first question').waitFor();
    const other = await secondTab(tab, 'queue-quinn');

    // The composer sends (it does not stop) once something is typed while the run is in flight.
    const input = tab.getByTestId('message-input');
    await input.fill('second question');
    expect(await tab.getByTestId('send-button').getAttribute('data-mode')).toBe('send');
    await tab.getByTestId('send-button').click();

    for (const page of [tab, other]) {
      const queued = runOf(page, 'second question');
      await queued.and(page.locator('[data-queued="true"]')).waitFor();
      expect(await queued.getByTestId('queued-badge').textContent()).toBe('queued');
      expect(await runOf(page, 'first question').getAttribute('data-queued')).toBe('false');
    }
    await other.screenshot({ path: screenshotPath('interaction-queued') });
    // History says so too: a reload still shows it queued.
    await other.reload();
    await runOf(other, 'second question').and(other.locator('[data-queued="true"]')).waitFor();

    // The first run ends: the second one starts (the hold agent repeats it), queued no more, in both tabs.
    await runOf(tab, 'first question').getByTestId('stop-run').click();
    for (const page of [tab, other]) {
      const second = runOf(page, 'second question');
      await second.and(page.locator('[data-queued="false"]')).getByTestId('answer').getByText('second question').waitFor();
      expect(await second.getByTestId('queued-badge').count()).toBe(0);
      expect(await runOf(page, 'first question').getAttribute('data-status')).toBe('cancelled');
    }
    await runOf(tab, 'second question').getByTestId('stop-run').click();
    await runOf(tab, 'second question').and(tab.locator('[data-status="cancelled"]')).waitFor();
  });
});

describe('agent_data parts and usage', () => {
  it('renders the latest progress, safe citation links, other data as JSON, and the tokens used; the same after a reload', async () => {
    const page = await newPage();
    await signIn(page, server.url, 'data-dana');
    await askAgent(page, 'data', 'Find me sources');
    const run = page.locator('[data-testid="run"][data-status="completed"]');
    await run.waitFor();

    for (const pass of ['live', 'reloaded']) {
      // One progress bar, at the latest report (2 of 2), not one per report.
      const progress = run.locator('[data-testid="data-part"][data-name="progress"]');
      // Waits for it to be drawn (a CI run under load once counted before it was), then counts.
      await progress.first().waitFor();
      expect(await progress.count(), pass).toBe(1);
      expect(await progress.locator('progress').evaluate((el: HTMLProgressElement) => [el.value, el.max]), pass).toEqual([2, 2]);
      expect(await progress.getByTestId('progress-label').textContent(), pass).toBe('Searching · 100%');
      // Only the http(s) citation is a link, opening safely in a new tab.
      const links = run.getByTestId('citation');
      expect(await links.count(), pass).toBe(1);
      expect(await links.getAttribute('href'), pass).toBe(DATA_AGENT.citations[0]!.url);
      expect(await links.getAttribute('rel'), pass).toBe('noopener noreferrer');
      expect(await links.getAttribute('target'), pass).toBe('_blank');
      expect(await links.textContent(), pass).toBe(DATA_AGENT.citations[0]!.title);
      expect(await run.locator('a[href^="javascript:"], a[href^="/"]').count(), pass).toBe(0);
      // A name the page has no renderer for: its JSON, folded away.
      const raw = run.locator('[data-testid="data-part"][data-name="plan"]');
      expect(await raw.locator('summary').textContent(), pass).toBe('plan');
      expect(JSON.parse((await raw.locator('pre').textContent()) ?? ''), pass).toEqual(DATA_AGENT.plan);
      expect(await run.getByTestId('answer').textContent(), pass).toBe(DATA_AGENT.answer);
      expect(await run.getByTestId('run-usage').textContent(), pass).toBe('1200 in · 34 out tokens');
      if (pass === 'live') {
        await page.screenshot({ path: screenshotPath('interaction-data-usage') });
        await page.reload();
        await run.waitFor();
      }
    }
  });
});

const approvalOf = (page: Page, status: string) => page.locator(`[data-testid="approval"][data-status="${status}"]`);

/** A note for the demo agent to forget later. */
async function rememberLaunch(page: Page): Promise<void> {
  await ask(page, 'Remember that the launch is on Friday');
  await runOf(page, 'Remember that the launch is on Friday').and(page.locator('[data-status="completed"]')).waitFor();
}

/** A note to forget, then the demo agent asked to forget it: it waits for approval of `notes_forget`. */
async function askToForget(page: Page): Promise<void> {
  await rememberLaunch(page);
  await ask(page, FORGET);
  await approvalOf(page, 'pending').waitFor();
}

const FORGET = 'Forget what I noted about the launch';

/** The request resolved as `status` (its card says `label`, no buttons left) and the run completed with `answer`. */
async function expectResolved(page: Page, status: string, label: string, answer: RegExp): Promise<void> {
  const card = approvalOf(page, status);
  await card.waitFor();
  expect(await card.getByTestId('approval-resolution').textContent()).toBe(label);
  expect(await page.getByTestId('approve').count()).toBe(0);
  const run = runOf(page, FORGET).and(page.locator('[data-status="completed"]'));
  await run.waitFor();
  expect(await run.getByTestId('answer').textContent()).toMatch(answer);
}

describe('approvals (the demo agent asks before notes_forget)', () => {
  it('every tab shows the request; one answer, from either tab, resolves it in all', async () => {
    const tab = await newPage();
    await signIn(tab, server.url, 'approve-abe');
    await rememberLaunch(tab);
    const other = await secondTab(tab, 'approve-abe');
    await ask(tab, FORGET);
    for (const page of [tab, other]) {
      const card = approvalOf(page, 'pending');
      await card.waitFor();
      expect(await card.locator('.approval__tool').textContent()).toBe('notes_forget');
      expect(await card.getByTestId('approval-args').textContent()).toContain('the launch is on Friday');
      expect(await card.getByTestId('approve').isEnabled()).toBe(true);
      expect(await runOf(page, FORGET).getByTestId('run-duration').textContent()).toBe('waiting for your approval');
    }
    await tab.screenshot({ path: screenshotPath('interaction-approval-pending') });

    await other.getByTestId('approve').click();
    for (const page of [tab, other]) await expectResolved(page, 'approved', 'Approved', /Forgotten: 1 note about "launch"/);
    await tab.screenshot({ path: screenshotPath('interaction-approval-approved') });
  });

  it('Deny: the tool does not run and the card says Denied', async () => {
    const page = await newPage();
    await signIn(page, server.url, 'deny-dot');
    await askToForget(page);
    await page.getByTestId('deny').click();
    await expectResolved(page, 'denied', 'Denied', /nothing was deleted/);
    expect(await runOf(page, FORGET).locator('[data-testid="tool-call"][data-tool-name="notes_forget"]').count()).toBe(0);
  });

  it('a reload while pending shows the card pending, and answering it then works', async () => {
    const page = await newPage();
    await signIn(page, server.url, 'reload-rae');
    await askToForget(page);
    await page.reload();
    await approvalOf(page, 'pending').getByTestId('approve').click();
    await approvalOf(page, 'approved').waitFor();
    const run = runOf(page, FORGET).and(page.locator('[data-status="completed"]'));
    await run.waitFor();
    expect(await run.getByTestId('answer').textContent()).toMatch(/Forgotten: 1 note about "launch"/);
    await run.locator('[data-testid="tool-call"][data-tool-name="notes_forget"]').waitFor();
  });

  it('stopping the run while the request is pending shows it cancelled', async () => {
    const page = await newPage();
    await signIn(page, server.url, 'stop-sol');
    await askToForget(page);
    await runOf(page, FORGET).getByTestId('stop-run').click();
    const card = approvalOf(page, 'cancelled');
    await card.waitFor();
    expect(await card.getByTestId('approval-resolution').textContent()).toBe('Cancelled: the run ended');
    expect(await runOf(page, FORGET).getAttribute('data-status')).toBe('cancelled');
  });
});

describe('an approval nobody answers', () => {
  it('expires: the card says so and nothing is deleted', async () => {
    // Its own server whose requests expire quickly (the other tests answer theirs).
    const config = configFromEnv(
      { AGENTWIRE_DEV: '1', AGENTWIRE_STORE: 'memory', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '0', AGENTWIRE_APPROVAL_TIMEOUT_MS: '300' },
      () => 'e2e-secret-0123456789abcdef0123456789',
    );
    const quick = await startServer(config, { logger: silentLogger });
    try {
      const page = await newPage();
      await signIn(page, quick.url, 'late-lou');
      await rememberLaunch(page);
      await ask(page, FORGET);
      await expectResolved(page, 'expired', 'Expired: no answer in time', /nothing was deleted/);
    } finally {
      await quick.close();
    }
  });
});

describe('the client tool local_time', () => {
  it('is offered with each message and answered from the page: the demo agent states the browser\'s zone', async () => {
    const zone = 'Pacific/Chatham'; // not the machine's: only the browser can have said it
    const page = await newPage(DESKTOP, { timezoneId: zone });
    // The frames the page writes on its socket: the offer travels in user_message.client_tools.
    const sent: Array<{ type?: string; client_tools?: unknown }> = [];
    page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => void sent.push(JSON.parse(String(payload)) as (typeof sent)[number])));
    await signIn(page, server.url, 'time-tia');
    await ask(page, 'What time is it here?');
    const run = runOf(page, 'What time is it here?').and(page.locator('[data-status="completed"]'));
    await run.waitFor();
    expect(await run.locator('[data-testid="tool-call"][data-tool-name="local_time"]').count()).toBe(1);
    expect(await run.getByTestId('answer').textContent()).toMatch(new RegExp(`^Your local time is .+ \\(${zone}\\)\\.$`));

    const offered = sent.filter((frame) => frame.type === 'user_message').map((frame) => frame.client_tools);
    expect(offered).toEqual([
      [{ name: 'local_time', description: expect.stringContaining('time zone'), parameters: { type: 'object', properties: {}, additionalProperties: false } }],
    ]);
    const events = (await server.gateway.bus.log.readAfter('time-tia', 0)).events.map((e) => e.event);
    const completed = events.find((e): e is StreamEvent<'tool_completed'> => e.type === 'tool_completed')!;
    expect(completed.data.result).toMatchObject({ timezone: zone, local: expect.any(String), iso: expect.any(String) });
  });
});
