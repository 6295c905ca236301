/**
 * F9 read marks are coalesced (chat-session.ts READ_MARK_COALESCE_MS): messages seen
 * within one window make one update of the reader's mark, not one each, so a quick
 * exchange does not make the writer apply, acknowledge and render a receipt per message
 * while its next message waits (benchmark S5 round trip), and the document does not
 * keep one mark per message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { openSession, until, ALICE, VERA, serviceWith } from './fake-world.ts';

const sessions: ChatSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.destroy();
});

describe('read mark coalescing', () => {
  it('F9 three messages seen one after the other reach the writer as one read mark', async () => {
    const service = serviceWith(VERA, ALICE);
    const vera = await openSession(service, VERA);
    const alice = await openSession(service, ALICE);
    sessions.push(vera, alice);
    await until('linked', () => vera.view.connection.status === 'connected');
    vera.setVisibility({ pageVisible: true, chatOpen: true });
    for (const body of ['one', 'two', 'three']) alice.send(body);
    await until('vera has them', () => vera.view.messages.length === 3);
    const updatesFromVera: Uint8Array[] = [];
    alice.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== null) updatesFromVera.push(update);
    });

    const ids = vera.view.messages.map((m) => m.id);
    // As an IntersectionObserver reports them while the log scrolls: one at a time.
    for (const id of ids) {
      vera.setOnScreen(id, true);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until('alice sees all three read', () =>
      alice.view.messages.every((m) => m.readBy.some((r) => r.participant === VERA.id)),
    );
    expect(updatesFromVera).toHaveLength(1);
    expect(vera.replica.chat.readStates(vera.replica.bindings).get(VERA.id)?.upTo).toBe(ids[2]);
  });
});
