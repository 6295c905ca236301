import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

const signalPort = Number(process.env.PORT ?? 8080);

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `vite dev` beside the signal service: API and WebSocket go to it.
    proxy: {
      '/api': `http://127.0.0.1:${signalPort}`,
      '/healthz': `http://127.0.0.1:${signalPort}`,
      '/ws': { target: `ws://127.0.0.1:${signalPort}`, ws: true },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // y-indexeddb has no `exports`: Node would load its CommonJS build, which
          // requires yjs's CommonJS build, a second Yjs beside the ESM one (yjs#438).
          // Its ESM source, inlined, imports the one ESM Yjs (browsers bundle that anyway).
          server: { deps: { inline: ['y-indexeddb'] } },
          alias: { 'y-indexeddb': 'y-indexeddb/src/y-indexeddb.js' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
