import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB_ROOT = join(PACKAGE_ROOT, 'web');
export const RESULTS_DIR = join(PACKAGE_ROOT, 'test-results');

/** Debian's Chromium, never a downloaded browser; its absence is a failure, not a skip. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (scripts/test-setup.mjs does this before the tests).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Builds the chat page when web/dist is missing or older than its sources (the page or the SDK). */
export async function ensureWebBuilt(): Promise<void> {
  const built = join(WEB_ROOT, 'dist', 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sources = [...files(join(WEB_ROOT, 'src')), join(WEB_ROOT, 'index.html'), join(WEB_ROOT, 'vite.config.ts'), ...files(join(PACKAGE_ROOT, 'src'))];
  if (sources.every((file) => statSync(file).mtimeMs <= builtAt)) return;
  const { build } = await import('vite');
  await build({ root: WEB_ROOT, configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

export function screenshotPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, `${name}.png`);
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

export const DESKTOP = Object.freeze({ width: 1200, height: 800 });

/**
 * The lifecycle every browser test file shares: the page built and one Chromium launched
 * before the file, each test's contexts closed after it, the browser closed after the file.
 * Call it at the top level of the file, before the file's own hooks.
 */
export function browserSession(): {
  /** `options`: other context settings (e.g. `timezoneId`); the viewport defaults to DESKTOP. */
  newContext(viewport?: { width: number; height: number }, options?: BrowserContextOptions): Promise<BrowserContext>;
  newPage(viewport?: { width: number; height: number }, options?: BrowserContextOptions): Promise<Page>;
} {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    await ensureWebBuilt();
    browser = await launchChromium();
  }, 120_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  const newContext = async (viewport: { width: number; height: number } = DESKTOP, options: BrowserContextOptions = {}): Promise<BrowserContext> => {
    if (!browser) throw new Error('browserSession(): no browser yet (call it at the top level of the test file)');
    const context = await browser.newContext({ ...options, viewport });
    contexts.push(context);
    return context;
  };
  return { newContext, newPage: async (viewport, options) => (await newContext(viewport, options)).newPage() };
}
