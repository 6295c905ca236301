/**
 * Benchmark S8: a console holds the latest view of every chat. A build reads every
 * message once (ChatDocument.messages() decodes them into fresh objects: 2,000 in a long
 * chat) and keeps only their ids, reading a message again by id when its view is made.
 * The decoded array must not live on with the view through the view's functions
 * (messagesBetween, messages): the heap snapshots of S8 found 7,000 such entries kept.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, MessageId } from '../../../protocol/index.ts';
import { buildSessionView, type ViewParts } from '../../../app/lib/session/session-view.ts';
import type { KnownAuthor } from '../../../app/lib/session/session-notes.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const VISITOR: KnownAuthor = { id: 'v1', role: 'visitor', name: 'Vera' };
const HELPER: KnownAuthor = { id: 'h1', role: 'helper', name: 'Alice' };

const stored: ChatMessage[] = Array.from({ length: 500 }, (_, i) => ({
  id: `m${i}` as MessageId,
  kind: 'text' as const,
  body: `message ${i}`,
  at: 1000 + i,
  seq: i + 1,
  authorClient: i % 2 === 0 ? 1 : 2,
  author: undefined,
}));
const byId = new Map(stored.map((m) => [m.id, m]));

/** Parts as ChatSession gives them: a fresh decoded array, and a reader by id. */
function parts(messages: ChatMessage[]): ViewParts {
  return {
    chatId: 'c1',
    self: HELPER.id,
    selfRole: 'helper',
    canWrite: true,
    connection: { status: 'connected', peers: 1 },
    messages,
    entry: (id) => byId.get(id),
    pending: new Set(),
    unsent: [],
    reads: new Map([[VISITOR.id, { upTo: 'm10' as MessageId, at: 5 }]]),
    authors: new Map([
      [1, VISITOR],
      [2, HELPER],
    ]),
    participants: new Map([
      [VISITOR.id, VISITOR],
      [HELPER.id, HELPER],
    ]),
    presence: new Map(),
    earlierHistory: null,
    earlierSources: [],
    lastRefusal: null,
    problem: null,
    notes: [],
    canWriteNotes: true,
  };
}

/** Builds a view from a fresh decoded array; returns the view and a weak hold on the array. */
function build() {
  const decoded = stored.map((m) => ({ ...m }));
  return { view: buildSessionView(parts(decoded)), array: new WeakRef(decoded) };
}

describe('benchmark S8: a session view does not keep the decoded messages it was built from', () => {
  it('the array is collected while the view lives, and the view still reads its window', async () => {
    const { view, array } = build();
    expect(view.messagesBetween(490).map((m) => m.body)).toContain('message 499');
    // A WeakRef's target stays alive until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(array.deref()).toBeUndefined();
    // Read again after the collection: by id, from the document.
    expect(view.messagesBetween(0, 2).map((m) => m.body)).toEqual(['message 0', 'message 1']);
    expect(view.messages).toHaveLength(500);
    expect(view.messages[10]!.readBy.map((r) => r.participant)).toEqual([VISITOR.id]);
  });
});
