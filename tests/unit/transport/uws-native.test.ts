import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeTransport,
  loadUwsNative,
  loadUwsNativeFrom,
  nativeBinaryPath,
} from '../../../signal/transport/uws-native.ts';

describe('uws-native', () => {
  it('names the binary for this platform and Node ABI', () => {
    expect(nativeBinaryPath()).toMatch(
      new RegExp(
        `binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`,
      ),
    );
  });

  it('reports a missing binary as a reason, never as the shim', () => {
    const load = loadUwsNativeFrom('/nonexistent/uws_none.node');
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.reason).toMatch(/no native binary/);
  });

  it('reports a file that is not a loadable addon as a reason', () => {
    const bogus = join(tmpdir(), `bogus-${process.pid}.node`);
    writeFileSync(bogus, 'not an ELF file');
    const load = loadUwsNativeFrom(bogus);
    expect(load.ok).toBe(false);
  });

  it('loads the native addon here and describes it (DESIGN.md 8)', () => {
    const load = loadUwsNative();
    expect(load.ok).toBe(true);
    expect(describeTransport()).toEqual({
      uwsNative: true,
      binary: nativeBinaryPath(),
      platform: process.platform,
      arch: process.arch,
      nodeAbi: process.versions.modules,
      reason: null,
    });
  });
});
