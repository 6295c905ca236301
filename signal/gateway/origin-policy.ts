/**
 * Which pages may open a WebSocket to the service. Browsers always send `Origin`
 * on a WebSocket handshake and let any page open one to any host, so without this
 * check any site could drive a visitor's or helper's socket (cross-site WebSocket
 * hijacking). Allowed: the service's own origin (the `Host` the request came to,
 * or PUBLIC_ORIGIN behind a proxy) and the configured extra origins (host sites
 * that embed the widget).
 *
 * A request with no `Origin` header is allowed: browsers never omit it, so it comes
 * from a non-browser client (a server-side integration, a load tool, the tests),
 * which holds its own credentials and could forge any header anyway; refusing it
 * would protect nothing. `Origin: null` (sandboxed frames, file: pages) is refused.
 */

export type OriginPolicyConfig = {
  publicOrigin: string | null;
  allowedOrigins: readonly string[];
};

export type OriginDecision = { allowed: true } | { allowed: false; reason: string };

export type OriginPolicy = (origin: string | undefined, host: string | undefined) => OriginDecision;

export function createOriginPolicy(config: OriginPolicyConfig): OriginPolicy {
  const allowed = new Set<string>();
  for (const origin of [config.publicOrigin, ...config.allowedOrigins]) {
    const normal = origin === null ? null : normalizeOrigin(origin);
    if (normal !== null) allowed.add(normal);
  }
  return (origin, host) => {
    if (origin === undefined || origin === '') return { allowed: true };
    const normal = normalizeOrigin(origin);
    if (normal === null) return { allowed: false, reason: `unreadable origin` };
    if (allowed.has(normal)) return { allowed: true };
    // Same host as the request: the page was served by this service (any scheme,
    // since TLS may end at a proxy in front of it).
    if (host !== undefined && host !== '' && new URL(normal).host === host.toLowerCase()) {
      return { allowed: true };
    }
    return { allowed: false, reason: 'origin not allowed' };
  };
}

/** `scheme://host[:port]`, lower-cased, default port dropped; null for anything else
 * (including the opaque origin `null`). */
export function normalizeOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}
