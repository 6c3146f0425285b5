import { expect as expectPage } from 'vitest';
import type { Page } from 'playwright-core';

/** Signs in on the page with a name and waits for the live connection. */
export async function signIn(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: 10_000 });
  expectPage(await page.getByTestId('user-name').textContent()).toBe(name);
}

/** Types a message into the composer and sends it with Enter. */
export async function ask(page: Page, text: string): Promise<void> {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('message-input').press('Enter');
}

/** Picks an agent in the composer's picker (the server must offer several), then asks it. */
export async function askAgent(page: Page, agent: string, text: string): Promise<void> {
  await page.getByTestId('agent-select').selectOption(agent);
  await ask(page, text);
}
