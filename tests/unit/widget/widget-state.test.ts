import { describe, expect, it } from 'vitest';
import type { ServiceToVisitor } from '../../../protocol/index.ts';
import { pagesToPost } from '../../../app/lib/widget/page-notes.ts';
import { replyKeyAction } from '../../../app/lib/ui/reply-keys.ts';
import { hostOrigin, readHostMessage } from '../../../app/lib/widget/host-protocol.ts';
import {
  describeWait,
  initialWidgetState,
  reduceWidget,
  type WidgetState,
} from '../../../app/lib/widget/widget-state.ts';

const welcome: ServiceToVisitor = {
  type: 'welcome',
  v: 1,
  visitorId: 'v1',
  token: 't',
  firstVisitAt: 1,
  firstLandingPage: 'https://host.example/',
  departments: [{ id: 'general', name: 'General', open: true }],
  iceServers: [],
  typingPreview: false,
};

const run = (...msgs: ServiceToVisitor[]): WidgetState =>
  msgs.reduce((s, msg) => reduceWidget(s, { type: 'service', msg }), initialWidgetState);

describe('widget state', () => {
  it('shows the form after the welcome, with departments and the typing-preview setting', () => {
    const s = run(welcome);
    expect(s.phase).toEqual({ phase: 'form' });
    expect(s.service).toBe('online');
    expect(s.typingPreview).toBe(false);
  });

  it('F6: follows the queue position live', () => {
    const queued = (position: number): ServiceToVisitor => ({
      type: 'queued',
      chatId: 'c1',
      department: 'general',
      position,
      estimatedWaitMs: null,
      helpersOnline: 0,
    });
    expect(run(welcome, queued(3), queued(1)).phase).toMatchObject({
      phase: 'queued',
      position: 1,
    });
  });

  it('F7: a closed department leads to the leave-a-message form', () => {
    const s = run(welcome, {
      type: 'unavailable',
      department: 'general',
      reason: 'department_closed',
    });
    expect(s.phase).toEqual({ phase: 'leave-message', reason: 'closed', department: 'general' });
  });

  it('a queue update does not take the visitor away from the message they are writing', () => {
    let s = run(welcome);
    s = reduceWidget(s, { type: 'leave-message', department: 'general' });
    s = reduceWidget(s, {
      type: 'service',
      msg: {
        type: 'queued',
        chatId: 'c',
        department: 'general',
        position: 1,
        estimatedWaitMs: 0,
        helpersOnline: 0,
      },
    });
    expect(s.phase.phase).toBe('leave-message');
  });

  it('F28: blocked shows when it ends, and the closing error does not cover it', () => {
    const s = run(
      welcome,
      { type: 'blocked', until: 99 },
      { type: 'error', code: 'blocked', message: 'You have been blocked' },
    );
    expect(s.phase).toEqual({ phase: 'blocked', until: 99 });
    expect(s.error).toBeNull();
    expect(reduceWidget(s, { type: 'new-chat' })).toBe(s);
  });

  it('a refused request returns to the form with the reason', () => {
    let s = reduceWidget(run(welcome), { type: 'requested' });
    s = reduceWidget(s, {
      type: 'service',
      msg: { type: 'error', code: 'already_requested', message: 'x' },
    });
    expect(s.phase).toEqual({ phase: 'form' });
    expect(s.error).toBe('You already have a chat open.');
  });

  it('connecting before the first welcome, reconnecting after', () => {
    expect(reduceWidget(initialWidgetState, { type: 'online', online: false }).service).toBe(
      'connecting',
    );
    expect(reduceWidget(run(welcome), { type: 'online', online: false }).service).toBe(
      'reconnecting',
    );
  });

  it('words the estimated wait', () => {
    expect(describeWait(null)).toMatch(/cannot estimate/);
    expect(describeWait(30_000)).toMatch(/less than a minute/);
    expect(describeWait(180_000)).toMatch(/about 3 minutes/);
  });
});

describe('reply keys (F8)', () => {
  const key = (over: Partial<KeyboardEvent>) =>
    replyKeyAction({
      key: 'Enter',
      shiftKey: false,
      isComposing: false,
      altKey: false,
      ctrlKey: false,
      metaKey: false,
      ...over,
    });
  it('Enter sends, Shift+Enter and IME composition do not', () => {
    expect(key({})).toBe('send');
    expect(key({ shiftKey: true })).toBe('type');
    expect(key({ isComposing: true })).toBe('type');
    expect(key({ key: 'a' })).toBe('type');
  });
});

describe('page notes (F11)', () => {
  const pages = [
    { url: 'https://h/1', title: 'One', at: 1 },
    { url: 'https://h/2', title: 'Two', at: 2 },
    { url: 'https://h/3', title: 'Three', at: 3 },
  ];
  it('posts every page the first time, then only newer ones', () => {
    expect(pagesToPost(pages, null).map((p) => p.title)).toEqual(['One', 'Two', 'Three']);
    expect(pagesToPost(pages, 2).map((p) => p.title)).toEqual(['Three']);
    expect(pagesToPost(pages, 3)).toEqual([]);
  });
});

describe('host messages (STYLE.md 3)', () => {
  const parent = {};
  const good = {
    type: 'peerdesk:host',
    sessionStartedAt: 1,
    landingPage: 'https://host.example/',
    pages: [{ url: 'https://host.example/', title: 'Home', at: 1 }],
  };
  it('accepts a well-formed message from the parent at the host origin only', () => {
    const expected = { origin: 'https://host.example', source: parent };
    expect(
      readHostMessage(
        { origin: 'https://host.example', source: parent as never, data: good },
        expected,
      ),
    ).toEqual(good);
    expect(
      readHostMessage(
        { origin: 'https://evil.example', source: parent as never, data: good },
        expected,
      ),
    ).toBeNull();
    expect(
      readHostMessage(
        { origin: 'https://host.example', source: {} as never, data: good },
        expected,
      ),
    ).toBeNull();
    expect(
      readHostMessage(
        { origin: 'https://host.example', source: parent as never, data: { ...good, pages: [] } },
        expected,
      ),
    ).toBeNull();
    expect(
      readHostMessage(
        { origin: 'https://host.example', source: parent as never, data: 'x' },
        expected,
      ),
    ).toBeNull();
  });

  it('F9: decodes the panel being shown or minimised, and nothing looser', () => {
    const expected = { origin: 'https://host.example', source: parent };
    const read = (data: unknown) =>
      readHostMessage({ origin: 'https://host.example', source: parent as never, data }, expected);
    expect(read({ type: 'peerdesk:shown', open: false })).toEqual({
      type: 'peerdesk:shown',
      open: false,
    });
    expect(read({ type: 'peerdesk:shown', open: 'no' })).toBeNull();
    expect(read({ type: 'peerdesk:shown', open: true, extra: 1 })).toBeNull();
  });

  it('takes the host origin only as a plain origin, matching the embedding page when known', () => {
    expect(hostOrigin('https://host.example', undefined)).toBe('https://host.example');
    expect(hostOrigin('https://host.example', 'https://host.example')).toBe('https://host.example');
    expect(hostOrigin('https://host.example', 'https://evil.example')).toBeNull();
    expect(hostOrigin('https://host.example/path', undefined)).toBeNull();
    expect(hostOrigin('javascript:alert(1)', undefined)).toBeNull();
    expect(hostOrigin('null', undefined)).toBeNull();
    expect(hostOrigin(null, undefined)).toBeNull();
  });
});
