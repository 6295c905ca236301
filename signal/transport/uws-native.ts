/**
 * Loads uWebSockets.js's native binary ourselves. The npm build we use
 * (`@trufflesuite/uws-js-unofficial`, aliased as `uWebSockets.js`, DESIGN.md 8)
 * ships a loader (`src/uws.js`) that, when the binary fails to load, prints a
 * warning and silently returns a slow pure-JS shim built on `ws`. We must know
 * which one runs: the service logs it and benchmarks refuse the shim. So we never
 * call that loader; we require the binary for this platform and Node ABI directly
 * and return it, or the reason it could not load.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, versions } from 'node:process';
import { dirname, join } from 'node:path';
import type * as Uws from 'uWebSockets.js';

export type UwsModule = typeof Uws;

export type NativeLoad =
  { ok: true; uws: UwsModule; binary: string } | { ok: false; binary: string; reason: string };

export type TransportInfo = {
  /** True when the native uWebSockets.js binary loads here. */
  uwsNative: boolean;
  /** The binary file for this platform and Node ABI. */
  binary: string;
  platform: string;
  arch: string;
  /** `process.versions.modules`, the ABI the binary must be built for. */
  nodeAbi: string;
  /** Why the native binary did not load; null when it did. */
  reason: string | null;
};

const require = createRequire(import.meta.url);

/** Where the binary for this process should be. */
export function nativeBinaryPath(): string {
  const packageDir = dirname(require.resolve('uWebSockets.js/package.json'));
  return join(packageDir, 'binaries', `uws_${platform}_${arch}_${versions.modules}.node`);
}

/** Loads a native uWS binary from `binary`; never falls back to anything else. */
export function loadUwsNativeFrom(binary: string): NativeLoad {
  if (!existsSync(binary)) {
    return {
      ok: false,
      binary,
      reason: `no native binary for ${platform}-${arch} ABI ${versions.modules}`,
    };
  }
  try {
    const loaded: unknown = require(binary);
    if (!looksNative(loaded)) {
      return { ok: false, binary, reason: 'the file loaded but is not a uWebSockets.js binary' };
    }
    return { ok: true, uws: loaded, binary };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, binary, reason: reason ?? 'unknown load error' };
  }
}

// The require cache makes a second load of one binary free, and a native addon is
// per process anyway; caching the outcome keeps `describeTransport()` cheap.
let cached: NativeLoad | undefined;

export function loadUwsNative(): NativeLoad {
  if (cached === undefined) {
    let binary = '(unresolved)';
    try {
      binary = nativeBinaryPath();
    } catch (error) {
      cached = { ok: false, binary, reason: `uWebSockets.js is not installed: ${String(error)}` };
      return cached;
    }
    cached = loadUwsNativeFrom(binary);
  }
  return cached;
}

/** Which transport can run here, for the start-up log and for benchmarks. */
export function describeTransport(): TransportInfo {
  const load = loadUwsNative();
  return {
    uwsNative: load.ok,
    binary: load.binary,
    platform,
    arch,
    nodeAbi: versions.modules,
    reason: load.ok ? null : load.reason,
  };
}

/** The file is a `.node` addon by construction; still check that it is uWS. The
 * shim (`dist/index.js`) exports only `App`, `_cfg` and the two listen-socket
 * helpers; `getParts` and the compressor constants come only from the addon. */
function looksNative(value: unknown): value is UwsModule {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record['App'] === 'function' &&
    typeof record['us_listen_socket_close'] === 'function' &&
    typeof record['us_socket_local_port'] === 'function' &&
    typeof record['getParts'] === 'function' &&
    typeof record['SHARED_COMPRESSOR'] === 'number'
  );
}
