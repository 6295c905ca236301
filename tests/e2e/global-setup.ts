/**
 * Once per e2e run, before any worker starts: the service bundle every test's service
 * runs (support/service-bundle.ts). Workers inherit this process's environment.
 */
import { SERVICE_BUNDLE_ENV, buildServiceBundle } from './support/service-bundle.ts';

export default async function globalSetup(): Promise<void> {
  process.env[SERVICE_BUNDLE_ENV] = await buildServiceBundle();
}
