/**
 * The service as one ES module for an e2e run, built once by the run's global setup
 * (tests/e2e/global-setup.ts) and started by every test's service (service.ts) with
 * plain `node`. Through tsx each start loaded and transformed some 150 TypeScript
 * modules: 7.9 s against 3.1 s for the bundle at load 9, and about 50 tests start a
 * service of their own. It is the same code: esbuild (the transformer tsx uses)
 * bundles `signal/main.ts` and what it imports, packages stay external (resolved from
 * the repository's node_modules, native builds included), and `import.meta.url` is
 * `signal/main.ts`'s own URL, so the paths the service finds beside its sources
 * (build/, the uWS binary) are the same.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Where the global setup tells the workers the bundle is (their environment). */
export const SERVICE_BUNDLE_ENV = 'PEERDESK_E2E_SERVICE_BUNDLE';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Builds the bundle under node_modules/.cache (inside the repository, so its
 * packages resolve) and returns its path. */
export async function buildServiceBundle(): Promise<string> {
  const entry = join(ROOT, 'signal/main.ts');
  const outfile = join(ROOT, 'node_modules/.cache/peerdesk-e2e/signal.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
    logLevel: 'warning',
  });
  return outfile;
}
