import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** The console and widget are client-side apps (WebRTC and IndexedDB live in the
 * browser), so the app is built as static files that the signal service serves. */
/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', strict: true }),
    files: {
      src: 'app',
      lib: 'app/lib',
      routes: 'app/routes',
      appTemplate: 'app/app.html',
      assets: 'app/static',
    },
    alias: {
      $protocol: 'protocol',
    },
  },
};

export default config;
