/**
 * Presence (CHAT.md CH-W1) is coalesced: what the reply box does between two awareness
 * updates goes out as one, at most every PRESENCE_COALESCE_MS, and nothing goes out
 * when it ends where it began. So a keystroke and the Send right after it put no
 * awareness frame ahead of the message (benchmark S5 round trip), for the visitor's
 * plain writes and a helper's signed ones (CH-V2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PRESENCE_COALESCE_MS, type ChatSession } from '../../../app/lib/session/chat-session.ts';
import type { FakeService } from './fake-world.ts';
import { openSession, until, ALICE, VERA, type Member, serviceWith } from './fake-world.ts';

const BOB: Member = { id: 'b1', role: 'helper', name: 'Bob' };

const sessions: ChatSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.destroy();
});

async function linked(
  extra: { sign?: boolean } = {},
): Promise<[ChatSession, ChatSession, FakeService]> {
  const service = serviceWith(VERA, ALICE);
  const vera = await openSession(service, VERA);
  const alice = await openSession(service, ALICE, extra);
  sessions.push(vera, alice);
  await until('linked', () => vera.view.connection.status === 'connected');
  await until('linked', () => alice.view.connection.status === 'connected');
  for (const s of [vera, alice]) s.setVisibility({ pageVisible: true, chatOpen: true });
  await until('present', () => vera.view.presence.length === 1 && alice.view.presence.length === 1);
  return [vera, alice, service];
}

/** What `to` receives from its peer, in order: awareness updates (with the peer's draft)
 * and document updates. */
function arrivals(to: ChatSession): string[] {
  const log: string[] = [];
  to.replica.awareness.on('update', (_: unknown, origin: unknown) => {
    if (origin === 'local') return;
    const peer = to.view.presence[0];
    log.push(`presence ${peer?.typing === true ? 'typing' : 'idle'} ${peer?.draft ?? ''}`);
  });
  to.doc.on('update', (_: Uint8Array, origin: unknown) => {
    if (origin !== null) log.push('message');
  });
  return log;
}

describe('presence coalescing', () => {
  it('CH-W1 a draft typed and sent at once sends the message and no presence (visitor)', async () => {
    const [vera, alice] = await linked();
    const log = arrivals(alice);
    vera.setDraft('my printer');
    expect(vera.send('my printer')).toMatchObject({ ok: true });
    vera.setDraft('');
    await until('alice has it', () => alice.view.messages.some((m) => m.body === 'my printer'));
    expect(log[0]).toBe('message');
    // Typing began and ended within one window, so it never went out: the first presence
    // Alice gets is the next draft's.
    vera.setDraft('thanks');
    await until('the next draft', () => log.some((l) => l.startsWith('presence')));
    expect(log.filter((l) => l.startsWith('presence'))).toEqual(['presence typing thanks']);
  });

  it('CH-W1 CH-V2 a helper’s signed line goes out before its presence', async () => {
    const [vera, alice] = await linked({ sign: true });
    const log = arrivals(vera);
    alice.setDraft('Hello Vera');
    expect(alice.send('Hello Vera')).toMatchObject({ ok: true });
    await until('vera has it', () => vera.view.messages.some((m) => m.body === 'Hello Vera'));
    expect(log[0]).toBe('message');
  });

  it('CH-V2 a signed line is in the view as soon as it is sent, pending, before listeners hear of it', async () => {
    const [, alice] = await linked({ sign: true });
    expect(alice.view.messages).toEqual([]);
    const sent = alice.send('One moment');
    expect(sent).toMatchObject({ ok: true });
    expect(alice.view.messages).toMatchObject([{ body: 'One moment', pending: true }]);
  });

  it('CH-W1 keystrokes within one window make one awareness update, with the last draft', async () => {
    const [vera, alice] = await linked();
    const log = arrivals(alice);
    for (const draft of ['m', 'my', 'my p', 'my pr']) vera.setDraft(draft);
    await until('draft', () => alice.view.presence[0]?.draft === 'my pr');
    expect(log).toEqual(['presence typing my pr']);
  });

  it('F10 CH-W7 a preview that became a message is never shown beside it, and the same text typed again shows', async () => {
    const [vera, alice] = await linked();
    vera.setDraft('It started after the update');
    await until('preview', () => alice.view.presence[0]?.draft === 'It started after the update');
    // Every view Alice's console renders from here on.
    const both: string[] = [];
    const stop = alice.subscribe((view) => {
      const sent = view.messages.some((m) => m.body === 'It started after the update');
      const preview = view.presence[0];
      if (sent && (preview?.draft !== undefined || preview?.typing === true)) {
        both.push(`${preview.typing ? 'typing' : 'idle'} ${preview.draft ?? ''}`);
      }
    });
    expect(vera.send('It started after the update')).toMatchObject({ ok: true });
    vera.setDraft('');
    await until('alice has it', () =>
      alice.view.messages.some((m) => m.body === 'It started after the update'),
    );
    await until('cleared', () => alice.view.presence[0]?.typing === false);
    stop();
    expect(both).toEqual([]);
    // Typed again, word for word: a new preview, shown.
    vera.setDraft('It started after the update');
    await until(
      'preview again',
      () => alice.view.presence[0]?.draft === 'It started after the update',
    );
  });

  it('CH-W7 the presence that clears a sent draft follows the message at once', async () => {
    const [vera, alice] = await linked();
    vera.setDraft('Hello');
    await until('preview', () => alice.view.presence[0]?.draft === 'Hello');
    const sentAt = Date.now();
    const log = arrivals(alice);
    let clearedAt = 0;
    alice.replica.awareness.on('change', () => {
      if (alice.replica.presence().get(VERA.id)?.typing === false) clearedAt ||= Date.now();
    });
    vera.send('Hello');
    await until('cleared', () => clearedAt > 0);
    expect(log.slice(0, 2)).toEqual(['message', 'presence idle ']);
    // Not held for the coalescing window, as a keystroke's presence is.
    expect(clearedAt - sentAt).toBeLessThan(PRESENCE_COALESCE_MS);
  });

  it('F10 CH-W7 a helper who joins while the visitor types sees the preview, her earlier lines notwithstanding', async () => {
    const [vera, alice, service] = await linked();
    expect(vera.send('My printer prints blank pages')).toMatchObject({ ok: true });
    vera.setDraft('It started after the update');
    await until(
      'alice sees it',
      () => alice.view.presence[0]?.draft === 'It started after the update',
    );
    // Bob joins now: Vera's draft reaches him before the history with her earlier line.
    service.join(BOB);
    const bob = await openSession(service, BOB);
    sessions.push(bob);
    const vera4bob = () => bob.view.presence.find((p) => p.id === VERA.id);
    await until('history', () =>
      bob.view.messages.some((m) => m.body === 'My printer prints blank pages'),
    );
    await until('preview', () => vera4bob()?.draft === 'It started after the update');
    expect(vera4bob()?.typing).toBe(true);
  });
});
