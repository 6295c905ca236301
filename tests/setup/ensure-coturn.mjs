#!/usr/bin/env node
/**
 * A step of `npm test`, after ensure-chromium: make sure Debian's coturn (the
 * `turnserver` the relay-only tests start, tests/fixtures/turn-server.ts) exists.
 * Present: print its version. Missing: install the `coturn` package when we are root
 * or may sudo without a password; otherwise exit 1 saying exactly how to install it.
 * Installing does not start a TURN server: the tests start their own on a free port.
 *
 *   node tests/setup/ensure-coturn.mjs [--dry-run]
 *
 * TURNSERVER_PATH points at another turnserver binary (nothing is installed then).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const DEFAULT_PATH = '/usr/bin/turnserver';
const MANUAL = 'sudo apt-get update && sudo apt-get install -y --no-install-recommends coturn';
const path = process.env['TURNSERVER_PATH'] || DEFAULT_PATH;
const dryRun = process.argv.includes('--dry-run');

/** @param {string} binary */
function version(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const text = (result.stdout ?? '').trim();
  return result.status === 0 && /^\d+\.\d+/.test(text) ? `coturn ${text}` : null;
}

function canSudo() {
  if (!existsSync('/usr/bin/sudo') && !existsSync('/bin/sudo')) return false;
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** @returns {string[][]} */
function installSteps() {
  const isRoot = process.getuid?.() === 0;
  const prefix = isRoot ? [] : ['sudo', '-n'];
  const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
  return [
    [...prefix, 'apt-get', 'update'],
    [...prefix, ...env, 'apt-get', 'install', '-y', '--no-install-recommends', 'coturn'],
  ];
}

/** @param {string} message */
function fail(message) {
  console.error(`ensure-coturn: ${message}`);
  process.exit(1);
}

if (!existsSync(path)) {
  if (path !== DEFAULT_PATH) fail(`TURNSERVER_PATH=${path} does not exist.`);
  if (!existsSync('/usr/bin/apt-get'))
    fail(`${path} is missing and there is no apt-get. Install coturn.`);
  if (process.getuid?.() !== 0 && !canSudo()) {
    fail(`${path} is missing and we are neither root nor allowed to sudo. Install it: ${MANUAL}`);
  }
  const steps = installSteps();
  if (dryRun) {
    console.log(JSON.stringify({ action: 'install', path, steps }, null, 2));
    process.exit(0);
  }
  console.log(`ensure-coturn: ${path} is missing; installing Debian's coturn.`);
  for (const [command, ...args] of steps) {
    if (command === undefined) continue;
    console.log(`ensure-coturn: $ ${[command, ...args].join(' ')}`);
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) {
      fail(
        `"${[command, ...args].join(' ')}" failed (exit ${result.status ?? result.signal}). Install it by hand: ${MANUAL}`,
      );
    }
  }
} else if (dryRun) {
  console.log(JSON.stringify({ action: 'use', path }, null, 2));
  process.exit(0);
}

const found = existsSync(path) ? version(path) : null;
if (found === null)
  fail(`${path} ${existsSync(path) ? 'does not run' : 'is still missing'}. ${MANUAL}`);
console.log(`ensure-coturn: using ${path} (${found})`);
