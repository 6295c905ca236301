/**
 * The Content-Security-Policy of every page the service serves (issue 16), in one
 * place for both users: svelte.config.js hands the directives to SvelteKit (`kit.csp`,
 * hash mode), which writes them with the hash of its inline boot script into a
 * <meta> tag of build/200.html; signal/http/security-headers.ts sends that policy as
 * a header, or this one for pages SvelteKit does not build (the /demo host pages),
 * adding `frame-ancestors` (a <meta> policy cannot carry it).
 *
 * Styles allow 'unsafe-inline': Svelte sets style attributes, styles cannot run
 * script, and with img-src, font-src and connect-src limited to the service itself
 * an injected style has nowhere to send what it reads. Scripts never do.
 *
 * Plain JavaScript (not TypeScript) because svelte.config.js imports it as it is.
 */

/**
 * SvelteKit's format: keywords without quotes (`self`), which it quotes.
 * @type {Readonly<NonNullable<NonNullable<import('@sveltejs/kit').KitConfig['csp']>['directives']>>}
 */
export const PAGE_CSP_DIRECTIVES = {
  'default-src': ['self'],
  'script-src': ['self'],
  'style-src': ['self', 'unsafe-inline'],
  'img-src': ['self', 'data:', 'blob:'],
  'media-src': ['self', 'blob:'],
  'font-src': ['self'],
  'connect-src': ['self'],
  'frame-src': ['self'],
  'worker-src': ['self'],
  'object-src': ['none'],
  'base-uri': ['none'],
  'form-action': ['self'],
};

const KEYWORDS = new Set(['self', 'none', 'unsafe-inline', 'unsafe-eval', 'strict-dynamic']);

/**
 * The directives as a policy string, keywords quoted as SvelteKit quotes them.
 * @param {Readonly<NonNullable<NonNullable<import('@sveltejs/kit').KitConfig['csp']>['directives']>>} directives
 * @returns {string}
 */
export function renderPolicy(directives) {
  return Object.entries(directives)
    .filter(([, values]) => Array.isArray(values))
    .map(([name, values]) =>
      [
        name,
        .../** @type {string[]} */ (values).map((value) =>
          KEYWORDS.has(value) ? `'${value}'` : value,
        ),
      ].join(' '),
    )
    .join('; ');
}
