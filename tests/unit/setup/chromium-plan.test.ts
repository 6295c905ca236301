import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CHROMIUM_PATH,
  MANUAL_INSTALL,
  chromiumPath,
  planChromium,
} from '../../setup/chromium-plan.mjs';

const script = new URL('../../setup/ensure-chromium.mjs', import.meta.url).pathname;

const facts = {
  envPath: undefined,
  exists: () => false,
  isRoot: false,
  canSudo: false,
  hasApt: true,
};

describe('chromium plan (npm test step 1)', () => {
  it('uses CHROMIUM_PATH when set and Debian’s path otherwise', () => {
    expect(chromiumPath(undefined)).toBe(DEFAULT_CHROMIUM_PATH);
    expect(chromiumPath('')).toBe(DEFAULT_CHROMIUM_PATH);
    expect(chromiumPath('/opt/chrome')).toBe('/opt/chrome');
  });

  it('uses a Chromium that is there', () => {
    const exists = (path: string) => path === DEFAULT_CHROMIUM_PATH;
    expect(planChromium({ ...facts, exists })).toEqual({
      action: 'use',
      path: DEFAULT_CHROMIUM_PATH,
    });
  });

  it('installs with apt-get directly as root, non-interactively', () => {
    expect(planChromium({ ...facts, isRoot: true })).toEqual({
      action: 'install',
      path: DEFAULT_CHROMIUM_PATH,
      steps: [
        { argv: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update'] },
        { argv: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'chromium'] },
      ],
    });
  });

  it('installs through sudo -n when sudo needs no password', () => {
    const plan = planChromium({ ...facts, canSudo: true });
    expect(plan.action).toBe('install');
    if (plan.action !== 'install') return;
    for (const step of plan.steps) expect(step.argv.slice(0, 2)).toEqual(['sudo', '-n']);
  });

  it('fails with the exact install command when it may not install', () => {
    const plan = planChromium(facts);
    expect(plan.action).toBe('fail');
    if (plan.action !== 'fail') return;
    expect(plan.message).toContain(MANUAL_INSTALL);
  });

  it('fails without apt-get, asking for CHROMIUM_PATH', () => {
    const plan = planChromium({ ...facts, isRoot: true, hasApt: false });
    expect(plan).toMatchObject({ action: 'fail' });
    if (plan.action === 'fail') expect(plan.message).toContain('CHROMIUM_PATH');
  });

  it('never installs for a custom CHROMIUM_PATH that is missing', () => {
    const plan = planChromium({ ...facts, isRoot: true, envPath: '/nonexistent/chromium' });
    expect(plan).toMatchObject({ action: 'fail', path: '/nonexistent/chromium' });
  });
});

describe('ensure-chromium script', () => {
  const run = (args: string[], chromium: string) =>
    spawnSync(process.execPath, [script, ...args], {
      encoding: 'utf8',
      env: { ...process.env, CHROMIUM_PATH: chromium },
    });

  it('exits 1 with a clear message when CHROMIUM_PATH points nowhere', () => {
    const result = run([], '/nonexistent/chromium');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CHROMIUM_PATH is set to /nonexistent/chromium');
  });

  it('prints the version of the browser it found', () => {
    // Any executable answering --version stands in for Chromium: node itself.
    const result = run([], process.execPath);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`using ${process.execPath} (${process.version})`);
  });

  it('changes nothing in a dry run, even when it would install', () => {
    const result = run(['--dry-run', '--assume-missing'], '');
    const plan: unknown = JSON.parse(result.stdout);
    expect(plan).toHaveProperty('path', DEFAULT_CHROMIUM_PATH);
    expect(['install', 'fail']).toContain((plan as { action: string }).action);
  });
});
