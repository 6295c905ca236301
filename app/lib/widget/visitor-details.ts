/**
 * The visitor details helpers see (F15) that the browser knows: user agent and
 * language, bounded to the protocol's limits, and, for the widget opened on its own
 * (no host page), the browsing session's start and landing page.
 */
import { LIMITS, type BrowserDetails } from '../../../protocol/index.ts';
import type { HostContext } from './widget-controller.ts';

export function visitorBrowser(nav: Pick<Navigator, 'userAgent' | 'language'>): BrowserDetails {
  return {
    userAgent: nav.userAgent.slice(0, LIMITS.maxUserAgentLength),
    language: (nav.language || 'und').slice(0, LIMITS.maxLanguageLength),
  };
}

const SESSION_KEY = 'peerdesk.widget.session';

/** Standalone, the widget's own tab is the session: its start and first page are kept
 * in sessionStorage. */
export function standaloneContext(
  storage: Pick<Storage, 'getItem' | 'setItem'>,
  url: string,
  title: string,
  now: number,
): HostContext {
  let start = { at: now, landing: url.slice(0, LIMITS.maxUrlLength) };
  try {
    const raw = storage.getItem(SESSION_KEY);
    const kept: unknown = raw === null ? null : JSON.parse(raw);
    if (
      typeof kept === 'object' &&
      kept !== null &&
      'at' in kept &&
      'landing' in kept &&
      Number.isSafeInteger(kept.at) &&
      typeof kept.landing === 'string'
    ) {
      start = { at: kept.at as number, landing: kept.landing.slice(0, LIMITS.maxUrlLength) };
    } else storage.setItem(SESSION_KEY, JSON.stringify(start));
  } catch {
    // No storage: this page load is the session.
  }
  return {
    sessionStartedAt: start.at,
    landingPage: start.landing,
    pages: [
      {
        url: url.slice(0, LIMITS.maxUrlLength),
        title: title.slice(0, LIMITS.maxTitleLength),
        at: now,
      },
    ],
  };
}

/** A Web Storage area, or an in-memory one when the browser refuses storage to the
 * widget (a third-party iframe with third-party storage blocked throws on access). */
export function storageOr(get: () => Storage): Pick<Storage, 'getItem' | 'setItem'> {
  try {
    const storage = get();
    storage.getItem('peerdesk.probe');
    return storage;
  } catch {
    const kept = new Map<string, string>();
    return {
      getItem: (key) => kept.get(key) ?? null,
      setItem: (key, value) => void kept.set(key, value),
    };
  }
}
