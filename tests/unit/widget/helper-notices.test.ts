import { describe, expect, it } from 'vitest';
import { interleave, trackHelpers } from '../../../app/lib/widget/helper-notices.ts';
import type { AuthorView, MessageView } from '../../../app/lib/session/session-view.ts';

const alice: AuthorView = { id: 'h-alice', role: 'helper', name: 'Alice' };
const bob: AuthorView = { id: 'h-bob', role: 'helper', name: 'Bob' };

function message(id: string, at: number, author: AuthorView | null): MessageView {
  return {
    id,
    kind: 'text',
    body: id,
    at,
    seq: at,
    author,
    mine: author === null,
    pending: false,
    readBy: [],
  } as MessageView;
}

describe('the visitor sees helpers join and leave, from the service list (issue 11)', () => {
  it('on the first list each helper joined just before their first message, or now', () => {
    const messages = [message('q', 100, null), message('hi', 200, alice)];
    const state = trackHelpers(null, [alice, bob], messages, 500);
    expect(state.notices).toEqual([
      { id: 'joined-h-alice-199', text: 'Alice joined the chat', at: 199 },
      { id: 'joined-h-bob-500', text: 'Bob joined the chat', at: 500 },
    ]);
    expect(interleave(messages, state.notices).map((e) => e.key)).toEqual([
      'q',
      'joined-h-alice-199',
      'hi',
      'joined-h-bob-500',
    ]);
  });

  it('the question opens the log even when it was written after the helper joined', () => {
    // The question is asked in the pre-chat form and written once the chat is live, so its
    // time follows the first list's join.
    const first = trackHelpers(null, [alice], [], 100);
    const messages = [message('q', 150, null), message('hi', 200, alice)];
    const state = trackHelpers(first, [alice], messages, 160);
    expect(interleave(messages, state.notices).map((e) => e.key)).toEqual([
      'q',
      'joined-h-alice-100',
      'hi',
    ]);
    // A helper's greeting first (no question): the join comes before it.
    const greeted = [message('hi', 200, alice)];
    expect(interleave(greeted, first.notices).map((e) => e.key)).toEqual([
      'joined-h-alice-100',
      'hi',
    ]);
  });

  it('later lists add joins and leaves as they happen, and an unchanged list changes nothing', () => {
    const first = trackHelpers(null, [alice], [], 100);
    expect(trackHelpers(first, [alice], [], 150)).toBe(first);
    const joined = trackHelpers(first, [alice, bob], [], 200);
    const left = trackHelpers(joined, [bob], [], 300);
    expect(left.notices.map((n) => n.text)).toEqual([
      'Alice joined the chat',
      'Bob joined the chat',
      'Alice left the chat',
    ]);
    expect([...left.present.keys()]).toEqual(['h-bob']);
  });

  it('names a helper without a name "A helper"', () => {
    const state = trackHelpers(null, [{ ...alice, name: '' }], [], 1);
    expect(state.notices[0]!.text).toBe('A helper joined the chat');
  });
});
