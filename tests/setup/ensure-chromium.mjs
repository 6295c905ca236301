#!/usr/bin/env node
/**
 * First step of `npm test`: make sure the Chromium that Playwright launches exists.
 * Present: print its version. Missing: install Debian's `chromium` when we are root
 * or may sudo without a password; otherwise exit 1 saying exactly how to install it.
 *
 *   node tests/setup/ensure-chromium.mjs [--dry-run [--assume-missing]]
 *
 * --dry-run prints the plan as JSON and changes nothing; --assume-missing (with
 * --dry-run only) plans as if no Chromium were installed, to see what a fresh
 * machine would do. CHROMIUM_PATH=/nonexistent shows the failure message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { planChromium } from './chromium-plan.mjs';

const dryRun = process.argv.includes('--dry-run');
const assumeMissing = dryRun && process.argv.includes('--assume-missing');

function canSudoWithoutPassword() {
  if (!existsSync('/usr/bin/sudo') && !existsSync('/bin/sudo')) return false;
  const result = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/** @param {string} path */
function chromiumVersion(path) {
  // Debian's wrapper script prints harmless shell warnings on stderr; only stdout matters.
  const result = spawnSync(path, ['--version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 30_000,
  });
  if (result.status !== 0 || result.stdout.trim() === '') return null;
  return result.stdout.trim();
}

const isRoot = process.getuid?.() === 0;
const plan = planChromium({
  envPath: process.env['CHROMIUM_PATH'],
  exists: assumeMissing ? () => false : existsSync,
  isRoot,
  canSudo: !isRoot && canSudoWithoutPassword(),
  hasApt: existsSync('/usr/bin/apt-get'),
});

if (dryRun) {
  console.log(JSON.stringify(plan, null, 2));
  process.exit(plan.action === 'fail' ? 1 : 0);
}

if (plan.action === 'fail') {
  console.error(`ensure-chromium: ${plan.message}`);
  process.exit(1);
}

if (plan.action === 'install') {
  console.log(`ensure-chromium: ${plan.path} is missing; installing Debian's chromium.`);
  for (const step of plan.steps) {
    const [command, ...args] = step.argv;
    if (command === undefined) continue;
    console.log(`ensure-chromium: $ ${step.argv.join(' ')}`);
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(
        `ensure-chromium: "${step.argv.join(' ')}" failed (exit ${result.status ?? result.signal}).\n` +
          `Install it by hand with: sudo apt-get update && sudo apt-get install -y chromium`,
      );
      process.exit(1);
    }
  }
}

const version = existsSync(plan.path) ? chromiumVersion(plan.path) : null;
if (version === null) {
  console.error(
    `ensure-chromium: ${plan.path} ${existsSync(plan.path) ? 'does not run (--version failed)' : 'is still missing'}.\n` +
      `Install Debian's chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
  process.exit(1);
}
console.log(`ensure-chromium: using ${plan.path} (${version})`);
