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
