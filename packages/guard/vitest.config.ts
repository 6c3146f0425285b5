import { defineConfig } from 'vitest/config';

// Each test builds a TypeScript program; on a shared, busy machine that can take seconds.
export default defineConfig({
  test: { testTimeout: 30_000 },
});
