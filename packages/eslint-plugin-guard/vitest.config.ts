import { defineConfig } from 'vitest/config';

// The test type-checks guard's fixture through typescript-eslint: seconds on a busy machine.
export default defineConfig({
  test: { testTimeout: 60_000 },
});
