/**
 * The console's layout of a chat taken over after a requeue (CHAT.md CH-K3, CH-K9): the
 * earlier part runs to the last line only a copy holds, takes in the chat document's
 * own messages up to there, shows a document line as the document has it, and leaves
 * the rest, the new helper's replies first of all, to the live log.
 */
import { describe, expect, it } from 'vitest';
import { splitConversation } from '../../../app/lib/console/earlier-conversation.ts';
import type { MessageView, SessionView } from '../../../app/lib/session/session-view.ts';
import { viewOfMessages } from '../support/session-views.ts';
import type { MessageId } from '../../../protocol/index.ts';

const vera = { id: 'vera', role: 'visitor' as const, name: 'Vera' };
const alice = { id: 'alice', role: 'helper' as const, name: 'Alice' };
const bob = { id: 'bob', role: 'helper' as const, name: 'Bob' };

function message(id: string, seq: number, author: MessageView['author'], mine = false) {
  return {
    id: id as MessageId,
    kind: 'text' as const,
    body: id,
    at: seq,
    seq,
    author,
    mine,
    pending: false,
    readBy: [],
  };
}

function line(id: string, seq: number, helper: boolean, verified: boolean) {
  return {
    id: id as MessageId,
    kind: 'text' as const,
    body: `${id} (copy)`,
    at: seq,
    seq,
    authorClient: helper ? 7 : 5,
    claimedRole: helper ? ('helper' as const) : ('visitor' as const),
    verified,
    from: 'visitor' as const,
    author: verified ? (helper ? alice : vera) : null,
    alsoInTranscript: false,
  };
}

function view(messages: MessageView[], lines: ReturnType<typeof line>[] | null): SessionView {
  return viewOfMessages(messages, {
    earlierHistory:
      lines === null
        ? null
        : {
            helperLinesUnverified: lines.some((l) => !l.verified),
            lines,
            sources: [{ from: 'visitor', id: 'vera', name: 'Vera', role: 'visitor' }],
          },
  });
}

describe('the earlier conversation in the console', () => {
  it('CH-K3 CH-K9 runs to the last line only a copy holds; document lines show as the document has them', () => {
    const doc = [
      message('v1', 1, vera),
      message('v2', 3, vera),
      message('b1', 5, bob, true),
      message('v3', 6, vera),
    ];
    const copy = [
      line('v1', 1, false, true),
      line('a1', 2, true, true),
      line('v2', 3, false, true),
      line('a2', 4, true, false),
      // A later copy holds Bob's own reply too (the visitor sent it again after a reload).
      line('b1', 5, true, true),
    ];
    const split = splitConversation(view(doc, copy));
    expect(split.earlier.map((e) => [e.id, e.body, e.author?.name ?? null])).toEqual([
      ['v1', 'v1', 'Vera'],
      ['a1', 'a1 (copy)', 'Alice'],
      ['v2', 'v2', 'Vera'],
      ['a2', 'a2 (copy)', null],
    ]);
    expect(split.earlier.map((e) => e.earlier)).toEqual([
      { verified: true, helper: false },
      { verified: true, helper: true },
      { verified: true, helper: false },
      { verified: false, helper: true },
    ]);
    // Bob's reply is his ("You"), in the live log, never a copy's version of it.
    expect(split.live.map((m) => [m.id, m.mine])).toEqual([
      ['b1', true],
      ['v3', false],
    ]);
    expect(split.unverified).toBe(true);
  });

  it('CH-K9 with nothing only a copy holds there is no earlier part', () => {
    const doc = [message('v1', 1, vera), message('b1', 2, bob, true)];
    const split = splitConversation(view(doc, [line('v1', 1, false, true)]));
    expect(split.earlier).toEqual([]);
    expect(split.live.map((m) => m.id)).toEqual(['v1', 'b1']);
    expect(splitConversation(view(doc, null)).live).toHaveLength(2);
    expect(splitConversation(null)).toMatchObject({ earlier: [], live: [] });
  });
});
