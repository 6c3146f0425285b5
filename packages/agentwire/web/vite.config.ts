import { defineConfig } from 'vite';

// Built into web/dist, which the standalone server serves at `/`.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
