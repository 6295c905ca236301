/**
 * Benchmark S8: a session's view is rebuilt on every change of a long chat. With the
 * previous build's views (MessageViewReuse), a message whose view would come out the
 * same keeps its object, so Svelte's keyed list skips it; what changed (a read mark, a
 * pending flag, an author's name, a new message) gets a new object, and the view is
 * always equal to one built from scratch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, MessageId, ReadEntry } from '../../../protocol/index.ts';
import {
  buildSessionView,
  MessageViewReuse,
  type MessageView,
  type SessionView,
  type ViewParts,
} from '../../../app/lib/session/session-view.ts';
import { emptySummary, tally } from '../../../app/lib/session/message-views.ts';
import type { KnownAuthor } from '../../../app/lib/session/session-notes.ts';

const VISITOR: KnownAuthor = { id: 'v1', role: 'visitor', name: 'Vera' };
const HELPER: KnownAuthor = { id: 'h1', role: 'helper', name: 'Alice' };

/** Entries as ChatDocument keeps them decoded: one object per message, fields shared. */
function entries(count: number): ChatMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `m${i}` as MessageId,
    kind: 'text' as const,
    body: `message ${i}`,
    at: 1000 + i,
    seq: i + 1,
    authorClient: i % 2 === 0 ? 1 : 2,
    author: undefined,
  }));
}

type World = {
  messages: ChatMessage[];
  reads: Map<string, ReadEntry>;
  pending: Set<MessageId>;
  helperName: string;
};

function parts(world: World, reuse?: MessageViewReuse): ViewParts {
  const helper = { ...HELPER, name: world.helperName };
  return {
    chatId: 'c1',
    self: HELPER.id,
    selfRole: 'helper',
    canWrite: true,
    connection: { status: 'connected', peers: 1 },
    // A fresh array of fresh message objects, as ChatDocument.messages() returns.
    messages: world.messages.map((m) => ({ ...m })),
    pending: world.pending,
    unsent: [],
    reads: world.reads,
    authors: new Map([
      [1, VISITOR],
      [2, helper],
    ]),
    participants: new Map([
      [VISITOR.id, VISITOR],
      [HELPER.id, helper],
    ]),
    presence: new Map(),
    earlierHistory: null,
    earlierSources: [],
    lastRefusal: null,
    problem: null,
    notes: [],
    canWriteNotes: true,
    ...(reuse ? { reuse } : {}),
  };
}

function world(count: number): World {
  return { messages: entries(count), reads: new Map(), pending: new Set(), helperName: 'Alice' };
}

/** A view as data: its message views, summary and fields, its functions left out. */
function plain(view: SessionView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(view)) {
    if (typeof value !== 'function') out[key] = value;
  }
  return out;
}

/** The summary the list of views says, counted one view at a time. */
function summaryOf(messages: readonly MessageView[]) {
  const summary = emptySummary();
  for (const m of messages) {
    tally(summary, m.kind, m.at, m.author?.role === 'visitor', m.mine);
  }
  return summary;
}

/** Which message indexes got a new object between two builds. */
function renewed(before: SessionView, after: SessionView): number[] {
  const old = new Map(before.messages.map((m) => [m.id, m]));
  return after.messages.flatMap((m, i) => (old.get(m.id) === m ? [] : [i]));
}

describe('benchmark S8: message views are reused across rebuilds', () => {
  it('an unchanged chat keeps every message object; a new message is the only new one', () => {
    const w = world(200);
    const reuse = new MessageViewReuse();
    const first = buildSessionView(parts(w, reuse));
    expect(renewed(first, buildSessionView(parts(w, reuse)))).toEqual([]);
    const again = buildSessionView(parts(w, reuse));
    w.messages = [...w.messages, ...entries(201).slice(200)];
    const grown = buildSessionView(parts(w, reuse));
    expect(renewed(again, grown)).toEqual([200]);
    expect(plain(grown)).toEqual(plain(buildSessionView(parts(w))));
  });

  it('F9 a read mark renews only the messages whose readers changed', () => {
    const w = world(100);
    const reuse = new MessageViewReuse();
    w.reads = new Map([[VISITOR.id, { upTo: 'm39' as MessageId, at: 5 }]]);
    const before = buildSessionView(parts(w, reuse));
    w.reads = new Map([[VISITOR.id, { upTo: 'm59' as MessageId, at: 9 }]]);
    const after = buildSessionView(parts(w, reuse));
    // 0–39 now read at 9 instead of 5; 40–59 read for the first time; the rest unread.
    expect(renewed(before, after)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(after.messages[59]!.readBy).toEqual([{ participant: 'v1', name: 'Vera', at: 9 }]);
    expect(plain(after)).toEqual(plain(buildSessionView(parts(w))));
  });

  it('CH-C7 a pending flag and a renamed author renew exactly their messages', () => {
    const w = world(20);
    const reuse = new MessageViewReuse();
    w.pending = new Set(['m1', 'm3'] as MessageId[]);
    const before = buildSessionView(parts(w, reuse));
    w.pending = new Set(['m3'] as MessageId[]);
    const held = buildSessionView(parts(w, reuse));
    expect(renewed(before, held)).toEqual([1]);
    expect(held.messages[1]!.pending).toBe(false);
    w.helperName = 'Alice B.';
    const renamed = buildSessionView(parts(w, reuse));
    // The helper wrote the odd messages.
    expect(renewed(held, renamed)).toEqual(Array.from({ length: 10 }, (_, i) => 2 * i + 1));
    expect(renamed.messages[1]!.author?.name).toBe('Alice B.');
    expect(plain(renamed)).toEqual(plain(buildSessionView(parts(w))));
  });

  it('an edited entry (a new Yjs item, a new decoded object) is never taken for the old one', () => {
    const w = world(10);
    const reuse = new MessageViewReuse();
    const before = buildSessionView(parts(w, reuse));
    w.messages = w.messages.map((m, i) => (i === 4 ? { ...m, body: 'changed' } : m));
    const after = buildSessionView(parts(w, reuse));
    expect(renewed(before, after)).toEqual([4]);
    expect(after.messages[4]!.body).toBe('changed');
  });

  it('after any sequence of changes the reused view equals a view built from scratch', () => {
    const change = fc.oneof(
      fc.record({ op: fc.constant('add' as const), count: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('mark' as const), at: fc.nat(), who: fc.boolean() }),
      fc.record({ op: fc.constant('pending' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('rename' as const), name: fc.constantFrom('Alice', 'Al') }),
      fc.record({ op: fc.constant('edit' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 25 }), (changes) => {
        const w = world(8);
        let next = 8;
        const reuse = new MessageViewReuse();
        buildSessionView(parts(w, reuse));
        for (const c of changes) {
          const n = w.messages.length;
          if (c.op === 'add') {
            for (let i = 0; i < c.count; i++) {
              const [m] = entries(next + 1).slice(next);
              w.messages = [...w.messages, m!];
              next++;
            }
          } else if (n > 0 && c.op === 'drop') {
            w.messages = w.messages.filter((_, i) => i !== c.at % n);
          } else if (n > 0 && c.op === 'mark') {
            const who = c.who ? VISITOR.id : 'h2';
            w.reads = new Map([...w.reads, [who, { upTo: w.messages[c.at % n]!.id, at: c.at }]]);
          } else if (n > 0 && c.op === 'pending') {
            const id = w.messages[c.at % n]!.id;
            w.pending = new Set(w.pending.has(id) ? [] : [id]);
          } else if (c.op === 'rename') {
            w.helperName = c.name;
          } else if (n > 0 && c.op === 'edit') {
            w.messages = w.messages.map((m, i) => (i === c.at % n ? { ...m, body: `${c.at}` } : m));
          }
          const reused = buildSessionView(parts(w, reuse));
          const fresh = buildSessionView(parts(w));
          // A window read first, then everything: the same views either way.
          expect(reused.messagesBetween(Math.max(0, reused.messageCount - 3))).toEqual(
            fresh.messages.slice(-3),
          );
          expect(plain(reused)).toEqual(plain(fresh));
          expect(reused.messageSummary).toEqual(summaryOf(fresh.messages));
        }
      }),
    );
  });
});

describe('benchmark S8: a view makes message views for what is read only', () => {
  it('a window of a long chat makes views for its messages, reading their entries again', () => {
    const w = world(2000);
    const reuse = new MessageViewReuse();
    const read: string[] = [];
    const byId = new Map(w.messages.map((m) => [m.id, m]));
    const entry = (id: MessageId) => (read.push(id), byId.get(id));
    const view = buildSessionView({ ...parts(w, reuse), entry });
    expect(view.messageCount).toBe(2000);
    expect(read).toEqual([]);
    expect(reuse.current.size).toBe(0);
    const window = view.messagesBetween(1970);
    expect(window.map((m) => m.id)).toEqual(w.messages.slice(1970).map((m) => m.id));
    expect(read).toEqual(w.messages.slice(1970).map((m) => m.id));
    expect(reuse.current.size).toBe(30);
    // Read again: the same objects, no entry read twice.
    expect(view.messagesBetween(1970)).toEqual(window);
    expect(view.messagesBetween(1990)[0]).toBe(window[20]);
    expect(read).toHaveLength(30);
    // The next build reuses the window's views and makes none it is not asked for.
    const next = buildSessionView({ ...parts(w, reuse), entry });
    expect(reuse.current.size).toBe(0);
    expect(next.messagesBetween(1970)[5]).toBe(window[5]);
    expect(reuse.current.size).toBe(30);
  });

  it('F9 a window gets the read marks of the whole chat', () => {
    const w = world(300);
    w.reads = new Map([
      [VISITOR.id, { upTo: 'm250' as MessageId, at: 7 }],
      ['h2', { upTo: 'm280' as MessageId, at: 8 }],
    ]);
    const view = buildSessionView(parts(w));
    const at = (i: number) => view.messagesBetween(i, i + 1)[0]!;
    const [m249, m251, m281] = [at(249), at(251), at(281)];
    expect(m249.readBy.map((r) => r.participant)).toEqual(['v1', 'h2']);
    expect(m251.readBy.map((r) => r.participant)).toEqual(['h2']);
    expect(m281.readBy).toEqual([]);
    expect(view.messages[249]!.readBy).toBe(m249.readBy);
  });

  it('F14 SP-M5 F19 the summary counts what the views say, unsent messages included', () => {
    const w = world(9);
    const view = buildSessionView({
      ...parts(w),
      unsent: [{ localId: 'u1', body: 'typed offline', at: 5000 }],
    });
    expect(view.messageCount).toBe(10);
    expect(view.messageSummary).toEqual(summaryOf(view.messages));
    // The visitor wrote the even messages, the helper (this participant) the odd ones.
    expect(view.messageSummary).toMatchObject({
      fromOthers: 5,
      visitorWaitingSince: null,
      visitorLastTextAt: 1008,
      newestMine: true,
    });
    expect(view.writers.map((a) => a.name).sort()).toEqual(['Alice', 'Vera']);
  });
});
