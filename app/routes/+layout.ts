// The console and widget are client-side apps (WebRTC, IndexedDB and the session
// token live in the browser), so every route is rendered in the browser from the
// adapter-static fallback page (build/200.html) that the signal service serves
// for any path it does not know. See https://svelte.dev/docs/kit/single-page-apps.
export const ssr = false;
export const prerender = false;
