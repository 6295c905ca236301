import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { PAGE_CSP_DIRECTIVES } from './signal/http/page-policy.mjs';

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
    // Content-Security-Policy (issue 16): SvelteKit hashes its inline boot script into
    // a <meta> policy in build/200.html, which the service also sends as a header with
    // frame-ancestors added (signal/http/page-policy.mjs says why each directive is so).
    csp: { mode: 'hash', directives: { ...PAGE_CSP_DIRECTIVES } },
  },
};

export default config;
