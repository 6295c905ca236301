import { describe, expect, it } from 'vitest';
import type { ServiceToVisitor, VisitorToService } from '../../../protocol/index.ts';
import type {
  BrowserParticipantEvents,
  ParticipantKind,
} from '../../../app/lib/session/browser-participant.ts';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { ServiceHub } from '../../../app/lib/session/service-port.ts';
import type { SessionView } from '../../../app/lib/session/session-view.ts';
import { WidgetController } from '../../../app/lib/widget/widget-controller.ts';
import { standaloneContext, storageOr } from '../../../app/lib/widget/visitor-details.ts';

const welcome: ServiceToVisitor = {
  type: 'welcome',
  v: 1,
  visitorId: 'v1',
  token: 'signed-token',
  firstVisitAt: 1,
  firstLandingPage: 'https://host.example/landing',
  departments: [{ id: 'general', name: 'General', open: true }],
  iceServers: [],
  typingPreview: true,
};

function setup(stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const sent: VisitorToService[] = [];
  let online = false;
  let kind: ParticipantKind | null = null;
  let events: BrowserParticipantEvents = {};
  const hub = new ServiceHub();
  const controller = new WidgetController({
    storage: {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
    },
    browser: { userAgent: 'UA', language: 'fr' },
    participant: (k, e) => {
      kind = k;
      events = e;
      return {
        hub,
        send: (msg) => {
          if (!online) return false;
          sent.push(msg as VisitorToService);
          return true;
        },
        close: async () => {},
      };
    },
  });
  const deliver = (msg: ServiceToVisitor) => {
    if (msg.type === 'welcome') {
      online = true;
      if (kind?.kind === 'visitor') kind.onToken(msg.token);
    }
    hub.deliver(msg);
    events.onMessage?.(msg);
  };
  return { controller, storage, sent, deliver, kind: () => kind, events: () => events };
}

const host = {
  sessionStartedAt: 100,
  landingPage: 'https://host.example/landing',
  pages: [
    { url: 'https://host.example/landing', title: 'Landing', at: 100 },
    { url: 'https://host.example/now', title: 'Now', at: 200 },
  ],
};

describe('WidgetController', () => {
  it('connects only once the host context is known, with the remembered token and landing page', () => {
    const t = setup({ 'peerdesk.widget.visitor.token': 'old-token' });
    expect(t.kind()).toBeNull();
    t.controller.setHost(host);
    expect(t.kind()).toMatchObject({
      kind: 'visitor',
      token: 'old-token',
      landingPage: 'https://host.example/landing',
    });
  });

  it('F15: remembers the token from the welcome across visits', () => {
    const t = setup();
    t.controller.setHost(host);
    t.deliver(welcome);
    expect(t.storage.get('peerdesk.widget.visitor.token')).toBe('signed-token');
    expect(t.controller.state.phase).toEqual({ phase: 'form' });
  });

  it('a request made before the welcome goes out with it, with the visitor details', () => {
    const t = setup();
    t.controller.setHost(host);
    t.controller.requestChat({ name: ' Ann ', email: '', department: 'general', question: 'Q?' });
    expect(t.sent).toEqual([]);
    t.deliver(welcome);
    expect(t.sent).toEqual([
      {
        type: 'request',
        name: 'Ann',
        email: '',
        department: 'general',
        question: 'Q?',
        page: { url: 'https://host.example/now', title: 'Now' },
        browser: { userAgent: 'UA', language: 'fr' },
        sessionStartedAt: 100,
        landingPage: 'https://host.example/landing',
      },
    ]);
    expect(t.controller.state.phase).toEqual({ phase: 'requesting' });
  });

  it('F7: leaves a message, and cancels a queued request', () => {
    const t = setup();
    t.controller.setHost(host);
    t.deliver(welcome);
    t.controller.leaveMessage({
      name: 'Ann',
      email: 'a@b.co',
      department: 'general',
      message: ' Hi ',
    });
    expect(t.sent.at(-1)).toEqual({
      type: 'leave_message',
      name: 'Ann',
      email: 'a@b.co',
      department: 'general',
      message: 'Hi',
    });
    t.deliver({
      type: 'queued',
      chatId: 'c1',
      department: 'general',
      position: 1,
      estimatedWaitMs: null,
      helpersOnline: 0,
    });
    t.controller.end();
    expect(t.sent.at(-1)).toEqual({ type: 'cancel' });
  });
});

/** The parts of a ChatSession the controller uses for read state and unread counts. */
function fakeSession(initial: { mine: boolean }[]) {
  let view = { messages: initial.map((m) => ({ ...m, kind: 'text' })) };
  let listener: ((next: SessionView) => void) | null = null;
  const visibility: { pageVisible: boolean; chatOpen: boolean; focused?: boolean }[] = [];
  const session = {
    chatId: 'c1',
    state: { status: 'connecting' },
    get view() {
      return view as unknown as SessionView;
    },
    subscribe(next: (view: SessionView) => void) {
      listener = next;
      return () => (listener = null);
    },
    setVisibility: (v: (typeof visibility)[number]) => void visibility.push(v),
  };
  const receive = (mine: boolean) => {
    view = { messages: [...view.messages, { mine, kind: 'text' }] };
    listener?.(view as unknown as SessionView);
  };
  return { session: session as unknown as ChatSession, visibility, receive };
}

describe('WidgetController read state and unread count', () => {
  it('F9: a minimised chat is not visible; what helpers write meanwhile is counted until it opens', () => {
    const t = setup();
    const counts: number[] = [];
    t.controller.onUnread((n) => counts.push(n));
    t.controller.setHost(host);
    const s = fakeSession([{ mine: false }, { mine: true }]);
    t.events().onSession?.(s.session);
    expect(s.visibility.at(-1)).toEqual({ pageVisible: true, chatOpen: true, focused: true });

    t.controller.setVisibility({ chatOpen: false });
    expect(s.visibility.at(-1)).toEqual({ pageVisible: true, chatOpen: false, focused: false });
    s.receive(false);
    s.receive(true); // the visitor's own messages are never unread
    s.receive(false);
    expect(counts.at(-1)).toBe(2);

    // Opened while the page is hidden: still not seen.
    t.controller.setVisibility({ pageVisible: false });
    t.controller.setVisibility({ chatOpen: true });
    expect(counts.at(-1)).toBe(2);
    expect(s.visibility.at(-1)).toEqual({ pageVisible: false, chatOpen: true, focused: false });
    t.controller.setVisibility({ pageVisible: true });
    expect(counts).toEqual([0, 1, 2, 0]);
  });

  it('a transcript restored at open (a reload) is not counted as new', () => {
    const t = setup();
    const counts: number[] = [];
    t.controller.onUnread((n) => counts.push(n));
    t.controller.setHost(host);
    t.controller.setVisibility({ chatOpen: false });
    t.events().onSession?.(fakeSession([{ mine: false }, { mine: false }]).session);
    expect(counts).toEqual([0]);
  });
});

describe('visitor details', () => {
  it('keeps the standalone session start and landing page for the tab', () => {
    const storage = new Map<string, string>();
    const area = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
    };
    const first = standaloneContext(area, 'https://pd/widget', 'Chat', 10);
    const later = standaloneContext(area, 'https://pd/widget?x', 'Chat', 20);
    expect(later.sessionStartedAt).toBe(first.sessionStartedAt);
    expect(later.landingPage).toBe('https://pd/widget');
    expect(later.pages).toEqual([{ url: 'https://pd/widget?x', title: 'Chat', at: 20 }]);
  });

  it('falls back to memory when storage is refused (third-party iframe)', () => {
    const area = storageOr(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    area.setItem('k', 'v');
    expect(area.getItem('k')).toBe('v');
  });
});
