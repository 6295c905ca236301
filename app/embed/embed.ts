/**
 * The Peerdesk embed loader: `<script src="https://peerdesk.example/embed.js">` on any
 * page adds a "Chat with us" launcher; the chat itself (/widget on the Peerdesk
 * origin) is loaded in an iframe only when the visitor opens it. The loader notes the
 * pages the visitor views on the host site (page loads, history.pushState and
 * replaceState, popstate, hashchange) in the host's sessionStorage and sends them to
 * the widget, before and during a chat (F11), with the session start and landing page
 * (F15). No framework and no imports: it must stay a few KB.
 *
 * postMessage (STYLE.md 3): posts only to the Peerdesk origin, and listens only to
 * the iframe's own window at that origin; it acts on three message types and ignores
 * anything else (the widget decodes what it hears with a schema). It tells the widget
 * when its panel opens or is minimised (a minimised chat is not read, F9), and the
 * launcher shows how many helper messages came in meanwhile.
 */
(() => {
  const w = window as Window & { peerdeskLoaded?: boolean };
  // A second copy of the script on one page would add a second launcher.
  if (w.peerdeskLoaded) return;
  w.peerdeskLoaded = true;

  const script = (document.currentScript ??
    document.querySelector('script[src$="/embed.js"]')) as HTMLScriptElement | null;
  if (script === null) return;
  const peerdesk = new URL(script.src, location.href).origin;

  type PageView = { url: string; title: string; at: number };
  type Kept = { start: number; landing: string; pages: PageView[]; open: boolean };
  const KEY = 'peerdesk.host';
  // Bounds of protocol/limits.ts and app/lib/widget/host-protocol.ts.
  const MAX_PAGES = 30;
  const clip = (text: string, max: number) => text.slice(0, max);
  const here = () => clip(location.href, 2048);

  const load = (): Kept => {
    try {
      const kept = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Kept | null;
      if (kept && typeof kept.start === 'number' && Array.isArray(kept.pages)) return kept;
    } catch {
      // Unreadable: a fresh session.
    }
    return { start: Date.now(), landing: here(), pages: [], open: false };
  };
  const kept = load();
  const save = () => {
    try {
      sessionStorage.setItem(KEY, JSON.stringify(kept));
    } catch {
      // No storage: pages are known for this page load only.
    }
  };

  let frame: HTMLIFrameElement | null = null;
  let ready = false;
  const send = () => {
    if (!ready || frame?.contentWindow == null) return;
    frame.contentWindow.postMessage(
      {
        type: 'peerdesk:host',
        sessionStartedAt: kept.start,
        landingPage: kept.landing,
        pages: kept.pages,
      },
      peerdesk,
    );
  };

  const shown = () => {
    if (ready)
      frame?.contentWindow?.postMessage({ type: 'peerdesk:shown', open: kept.open }, peerdesk);
  };

  const view = () => {
    const url = here();
    const last = kept.pages[kept.pages.length - 1];
    if (last?.url === url) return;
    // Strictly increasing times: the widget posts pages newer than the last it posted.
    const at = Math.max(Date.now(), (last?.at ?? 0) + 1);
    kept.pages = [...kept.pages, { url, title: clip(document.title, 300), at }].slice(-MAX_PAGES);
    save();
    send();
  };
  // After the navigation's own code has run, so the new title is there too.
  const later = () => setTimeout(view, 0);
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      later();
    };
  }
  addEventListener('popstate', later);
  addEventListener('hashchange', later);

  const style = document.createElement('style');
  style.textContent =
    '.pd-launch{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:600 16px system-ui,sans-serif;padding:12px 18px;border-radius:24px;border:0;background:#1d4ed8;color:#fff;cursor:pointer;box-shadow:0 2px 8px #0004}' +
    '.pd-launch:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}' +
    '.pd-panel{position:fixed;right:16px;bottom:76px;z-index:2147483000;width:min(380px,calc(100vw - 32px));height:min(600px,calc(100vh - 96px));border:1px solid #8c959f;border-radius:12px;overflow:hidden;background:#fff;box-shadow:0 4px 24px #0004}' +
    '.pd-panel[hidden]{display:none}.pd-panel iframe{border:0;width:100%;height:100%}' +
    // Phones: the panel takes the screen and the launcher steps aside (it would cover
    // the panel's Send and End chat); the widget's own "Minimise chat" closes it.
    '@media (max-width:480px){.pd-panel{inset:0;width:auto;height:auto;border-radius:0}.pd-launch[aria-expanded=true]{display:none}}';

  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'pd-launch';
  button.textContent = 'Chat with us';
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'peerdesk-chat');
  const panel = document.createElement('div');
  panel.className = 'pd-panel';
  panel.id = 'peerdesk-chat';
  panel.hidden = true;

  const show = (open: boolean, focus = true) => {
    if (open && frame === null) {
      frame = document.createElement('iframe');
      frame.title = 'Chat with us';
      frame.allow = 'autoplay';
      frame.src = `${peerdesk}/widget?host=${encodeURIComponent(location.origin)}`;
      panel.append(frame);
    }
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    kept.open = open;
    save();
    shown();
    if (focus) (open ? frame : button)?.focus();
  };
  button.addEventListener('click', () => show(panel.hidden));

  addEventListener('message', (event) => {
    if (frame === null || event.source !== frame.contentWindow || event.origin !== peerdesk) return;
    const data = event.data as { type?: unknown; count?: unknown } | null;
    const type = data?.type;
    if (type === 'peerdesk:ready') {
      ready = true;
      send();
      shown();
    } else if (type === 'peerdesk:minimize') show(false);
    else if (type === 'peerdesk:unread' && typeof data?.count === 'number') {
      const count = Math.max(0, Math.floor(data.count));
      button.textContent = count > 0 ? `Chat with us (${count})` : 'Chat with us';
      if (count > 0) button.setAttribute('aria-label', `Chat with us, ${count} new`);
      else button.removeAttribute('aria-label');
    }
  });

  const mount = () => {
    document.head.append(style);
    document.body.append(panel, button);
    view();
    // A chat opened on an earlier page of the site goes on on this one (focus stays put).
    if (kept.open) show(true, false);
  };
  if (document.body) mount();
  else addEventListener('DOMContentLoaded', mount);
})();
