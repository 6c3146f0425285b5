import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const seconds = Number(process.env['SOAK_SECONDS'] ?? 120) || 120;

/** `npm run soak`: only the soak scenario, with a timeout that fits its duration. */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/chaos/soak.run.ts'],
    testTimeout: (seconds + 300) * 1000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
