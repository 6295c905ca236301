/**
 * What `npm test` must do to have a Chromium for Playwright, as a pure function of
 * the facts about this machine, so every branch is unit-tested without touching
 * the machine (tests/unit/setup/chromium-plan.test.ts). Playwright cannot download
 * its own browsers here; we use Debian's `chromium` (DESIGN.md section 8).
 */

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for Debian's chromium here (DESIGN.md section 8): no sandbox, no GPU, no
 * traffic of its own. Playwright's config and the browser benchmarks launch with them. */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]);

export const MANUAL_INSTALL = 'sudo apt-get update && sudo apt-get install -y chromium';

/**
 * @typedef {{
 *   envPath: string | undefined,
 *   exists: (path: string) => boolean,
 *   isRoot: boolean,
 *   canSudo: boolean,
 *   hasApt: boolean,
 * }} ChromiumFacts
 *
 * @typedef {{ argv: string[] }} Step
 *
 * @typedef {{ action: 'use', path: string }
 *   | { action: 'install', path: string, steps: Step[] }
 *   | { action: 'fail', path: string, message: string }} ChromiumPlan
 */

/**
 * The path Playwright will launch: CHROMIUM_PATH when set, else Debian's.
 * playwright.config.ts uses the same rule.
 * @param {string | undefined} envPath
 */
export function chromiumPath(envPath) {
  return envPath !== undefined && envPath !== '' ? envPath : DEFAULT_CHROMIUM_PATH;
}

/**
 * @param {ChromiumFacts} facts
 * @returns {ChromiumPlan}
 */
export function planChromium(facts) {
  const path = chromiumPath(facts.envPath);
  if (facts.exists(path)) return { action: 'use', path };

  if (path !== DEFAULT_CHROMIUM_PATH) {
    // Installing Debian's package would not create a browser at a custom path.
    return {
      action: 'fail',
      path,
      message:
        `CHROMIUM_PATH is set to ${path}, but no file is there.\n` +
        `Point CHROMIUM_PATH at a Chromium binary, or unset it to use Debian's chromium ` +
        `at ${DEFAULT_CHROMIUM_PATH} (installed automatically when missing and allowed).`,
    };
  }

  if (!facts.hasApt) {
    return {
      action: 'fail',
      path,
      message:
        `Chromium is missing at ${path} and this machine has no apt-get.\n` +
        `The end-to-end tests need a Chromium: install one and set CHROMIUM_PATH to its binary.`,
    };
  }

  if (!facts.isRoot && !facts.canSudo) {
    return {
      action: 'fail',
      path,
      message:
        `Chromium is missing at ${path}, and this user may not install packages ` +
        `(not root, and sudo asks for a password).\n` +
        `Install it once with:\n\n    ${MANUAL_INSTALL}\n\n` +
        `or set CHROMIUM_PATH to an existing Chromium binary, then run npm test again.`,
    };
  }

  // `env` carries DEBIAN_FRONTEND through sudo's environment reset; apt-get then
  // never stops to ask a question.
  const prefix = facts.isRoot ? [] : ['sudo', '-n'];
  const apt = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  return {
    action: 'install',
    path,
    steps: [{ argv: [...apt, 'update'] }, { argv: [...apt, 'install', '-y', 'chromium'] }],
  };
}
