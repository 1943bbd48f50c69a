import { defineConfig } from 'vitest/config';

// `npm run dev` proxies the API (and the live log's websocket) to a running `hookflow serve`
// (HOOKFLOW_API, default :8080).
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const api = env.HOOKFLOW_API || 'http://localhost:8080';

// No React plugin: esbuild's automatic JSX runtime is enough (no fast refresh needed yet).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  // ws: the live log (GET /api/flows/{id}/live) is a websocket
  server: { proxy: { '/api': { target: api, ws: true }, '/hook': api } },
  preview: { proxy: { '/api': { target: api, ws: true }, '/hook': api } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  // component tests (*.test.tsx) ask for jsdom with a `@vitest-environment jsdom` comment
  test: { include: ['src/**/*.test.ts', 'src/**/*.test.tsx'], environment: 'node', testTimeout: 60000 },
});
