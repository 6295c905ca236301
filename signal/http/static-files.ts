/**
 * The built SvelteKit app (`build/`), read into memory once at start. Requests are
 * answered from that table only, so no request path can reach outside the folder
 * whatever it contains (`..`, encoded slashes, NUL bytes). Unknown page paths get
 * the SPA fallback `200.html`; unknown `/_app/` assets get 404 rather than HTML
 * that a browser would try to run as a script.
 *
 * An HTML page's own Content-Security-Policy (the <meta> one SvelteKit writes with its
 * script hashes) is sent as a `content-security-policy` header too, for
 * security-headers.ts to complete with frame-ancestors.
 *
 * Exports: `loadStaticFiles(dir)` → `StaticFiles | null` (null when the folder does
 * not exist); `StaticFiles.serve(method, path, headers)` → `HttpResponse`;
 * `contentTypeOf(name)`; `metaPolicy(html)`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, posix } from 'node:path';
import type { HttpResponse } from '../transport/transport.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

type StaticFile = {
  body: Uint8Array;
  contentType: string;
  etag: string;
  cacheControl: string;
  /** An HTML page's own policy (SvelteKit's hashed <meta> CSP), sent as a header too. */
  policy: string | null;
};

export interface StaticFiles {
  /** How many files were loaded. */
  readonly size: number;
  serve(method: string, path: string, headers: Readonly<Record<string, string>>): HttpResponse;
}

const FALLBACK = '/200.html';

/** Reads every file under `dir`; null when `dir` does not exist (app not built). */
export function loadStaticFiles(dir: string): StaticFiles | null {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  const files = new Map<string, StaticFile>();
  const walk = (folder: string, prefix: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      const urlPath = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(full, urlPath);
      else if (entry.isFile()) files.set(urlPath, toStaticFile(urlPath, readFileSync(full)));
      // Symlinks and other entries are skipped: they could point outside the folder.
    }
  };
  walk(dir, '');

  return {
    size: files.size,
    serve(method, path, headers) {
      const urlPath = decodePath(path);
      if (urlPath === null) return notFound();
      const file =
        files.get(urlPath) ??
        files.get(`${urlPath.replace(/\/$/, '')}.html`) ??
        files.get(`${urlPath.replace(/\/$/, '')}/index.html`) ??
        (urlPath.startsWith('/_app/') ? undefined : files.get(FALLBACK));
      if (file === undefined) return notFound();
      const common = {
        'content-type': file.contentType,
        'cache-control': file.cacheControl,
        etag: file.etag,
        'x-content-type-options': 'nosniff',
        ...(file.policy === null ? {} : { 'content-security-policy': file.policy }),
      };
      if (headers['if-none-match'] === file.etag) return { status: 304, headers: common };
      return {
        status: 200,
        headers: { ...common, 'content-length': String(file.body.byteLength) },
        ...(method === 'HEAD' ? {} : { body: file.body }),
      };
    },
  };
}

function toStaticFile(urlPath: string, body: Buffer): StaticFile {
  const contentType = contentTypeOf(urlPath);
  return {
    body,
    contentType,
    policy: contentType.startsWith('text/html') ? metaPolicy(body.toString('utf8')) : null,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    // Files under /_app/immutable/ have content hashes in their names: cache forever.
    // Everything else (HTML, version.json) must be revalidated to pick up a new build.
    cacheControl: urlPath.startsWith('/_app/immutable/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  };
}

/** The content of a page's `<meta http-equiv="content-security-policy">`, as SvelteKit
 * writes it (attribute order and escaping of its csp.js), or null when there is none. */
export function metaPolicy(html: string): string | null {
  const match = /<meta http-equiv="content-security-policy" content="([^"]*)">/i.exec(html);
  if (match?.[1] === undefined) return null;
  return match[1].replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
}

/** The request path as a clean absolute path, or null when it is not one. */
function decodePath(path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const normal = posix.normalize(decoded);
  // `normalize` resolves `a/../b`; any `..` left would climb above the root.
  if (normal.split('/').includes('..') || normal !== decoded.replace(/\/+/g, '/')) return null;
  return normal;
}

function notFound(): HttpResponse {
  return {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body: 'Not found',
  };
}
