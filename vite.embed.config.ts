// The embed loader (app/embed/embed.ts) as one small classic script, build/embed.js,
// built after the SvelteKit app (adapter-static empties build/ first).
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'build',
    emptyOutDir: false,
    target: 'es2020',
    lib: {
      entry: 'app/embed/embed.ts',
      formats: ['iife'],
      name: 'PeerdeskEmbed',
      fileName: () => 'embed.js',
    },
  },
});
