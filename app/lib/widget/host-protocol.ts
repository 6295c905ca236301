/**
 * Messages between the embed loader on the host page (app/embed/embed.ts) and the
 * widget in its iframe, split by direction. The widget decodes everything it hears
 * with these schemas, and only from its own parent window at the host origin it was
 * given (STYLE.md point 3); it never posts to '*'. The loader stays tiny, so it
 * checks what it hears by hand (it only ever acts on `ready`, `minimize` and `unread`).
 */
import * as v from 'valibot';
import { LIMITS, PageView, Timestamp, Url } from '../../../protocol/index.ts';

/** How many host page views the loader keeps and sends (the most recent ones). */
export const MAX_HOST_PAGES = 30;

export const HostPageView = v.strictObject({ ...PageView.entries, at: Timestamp });
export type HostPageView = v.InferOutput<typeof HostPageView>;

export const HostToWidget = v.variant('type', [
  v.strictObject({
    type: v.literal('peerdesk:host'),
    /** When the visitor's browsing session on the host site began (F15). */
    sessionStartedAt: Timestamp,
    landingPage: Url,
    /** Page views on the host site this session, oldest first, the current one last (F11). */
    pages: v.pipe(v.array(HostPageView), v.minLength(1), v.maxLength(MAX_HOST_PAGES)),
  }),
  /** The loader's chat panel was opened or minimised: the visitor can or cannot see it (F9). */
  v.strictObject({ type: v.literal('peerdesk:shown'), open: v.boolean() }),
]);
export type HostToWidget = v.InferOutput<typeof HostToWidget>;

export type WidgetToHost =
  | { type: 'peerdesk:ready' }
  | { type: 'peerdesk:minimize' }
  /** Helper messages that arrived while the panel was minimised (the launcher shows them). */
  | { type: 'peerdesk:unread'; count: number };

/** The origin the widget may talk to: `host` from its URL, a plain http(s) origin, and
 * (where the browser tells) the origin of the page that actually embeds it. */
export function hostOrigin(host: string | null, ancestor: string | undefined): string | null {
  if (host === null || host.length > LIMITS.maxUrlLength) return null;
  let origin: string;
  try {
    const url = new URL(host);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    origin = url.origin;
  } catch {
    return null;
  }
  if (origin !== host) return null;
  if (ancestor !== undefined && ancestor !== origin) return null;
  return origin;
}

/** The decoded message, or null when it is not from the expected window and origin. */
export function readHostMessage(
  event: Pick<MessageEvent, 'origin' | 'source' | 'data'>,
  expected: { origin: string; source: unknown },
): HostToWidget | null {
  if (event.origin !== expected.origin || event.source !== expected.source) return null;
  const parsed = v.safeParse(HostToWidget, event.data);
  return parsed.success ? parsed.output : null;
}
