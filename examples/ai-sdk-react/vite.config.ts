import { defineConfig } from 'vite';

// The app calls the agentwire server as if it were its own origin: Vite forwards the login
// routes and the AI SDK WebSocket to it (the standalone server, `npm start`, listens on 8080).
const target = process.env['AGENTWIRE_URL'] ?? 'http://127.0.0.1:8080';
// The server checks a browser's Origin (AGENTWIRE_ALLOWED_ORIGINS, default its own): through the
// proxy the app is the server's own origin, so the forwarded requests say so.
const forward = { target, changeOrigin: true, headers: { origin: new URL(target).origin } };
const proxy = {
  '/auth': forward,
  '/ai-sdk': { ...forward, ws: true },
};

export default defineConfig({
  root: import.meta.dirname,
  server: { proxy },
  preview: { proxy },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
