/**
 * Issue 18, end to end over real WebRTC (@roamhq/wrtc) through the real service: a
 * hostile visitor drives its own session by hand. It cannot take the client id of a
 * helper who left (SPEC.md SP-P2, SP-P4), a write under that id is refused by the next
 * helper (CHAT.md CH-A5), a message numbered ahead of the conversation waits and is then
 * refused (CH-S8, CH-C12), and each refusal reaches the monitors as a security event that
 * /metrics counts (SP-P5). Waits are for conditions.
 */
import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { startService, type Service } from '../harness.ts';
import { bodies, REQUEST, SessionParticipant, until } from './session-participant.ts';

const TEST_TIMEOUT_MS = 180_000;

/** What a hostile browser can do: write any struct into its own copy, which its
 * replica then sends to every peer as if it were its own write. */
function forge(session: ChatSession, clientId: number, body: string, seq: number): void {
  const forger = new Y.Doc();
  forger.clientID = clientId;
  Y.applyUpdate(forger, Y.encodeStateAsUpdate(session.doc));
  forger
    .getMap(ROOT.messages)
    .set(`${clientId.toString(36)}.forgedforgedforg`, { kind: 'text', body, at: Date.now(), seq });
  Y.applyUpdate(session.doc, Y.encodeStateAsUpdate(forger, Y.encodeStateVector(session.doc)));
}

describe('issue 18: a visitor cannot forge or reorder the conversation', () => {
  let service: Service | null = null;
  const people: SessionParticipant[] = [];

  afterEach(async () => {
    for (const p of people.splice(0)) await p.close();
    await service?.close();
    service = null;
  });

  async function staff(nickname: string, available = true): Promise<SessionParticipant> {
    const token = await service!.signIn(nickname, DEMO_PASSWORD);
    const p = SessionParticipant.staff(service!.port, token, available);
    people.push(p);
    await p.message('welcome');
    return p;
  }

  async function metric(name: string): Promise<string> {
    const text = await (await fetch(`${service!.baseUrl}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .join('\n');
  }

  it(
    'SP-P2 SP-P4 CH-A5 SP-P5 a departed helper’s client id is refused to the visitor, and a write under it is refused by the next helper and reported',
    async () => {
      service = await startService({ transport: 'uws', demo: true });
      const molly = await staff('molly', false);
      const alice = await staff('alice');
      const bob = await staff('bob', false);
      const visitor = SessionParticipant.visitor(service.port);
      people.push(visitor);
      await visitor.message('welcome');
      visitor.send(REQUEST);
      const { chatId } = await alice.message('offer');
      alice.send({ type: 'accept', chatId });
      const [atVisitor, atAlice] = await Promise.all([
        visitor.session(chatId),
        alice.session(chatId),
      ]);
      await until('alice live', () => atAlice.state.status === 'live');
      expect(atAlice.send('Hello, Alice here.').ok).toBe(true);
      await until('the visitor has it', () => bodies(atVisitor).includes('Hello, Alice here.'));
      const aliceId = atAlice.doc.clientID;

      // Alice leaves; the chat goes back to the queue.
      alice.send({ type: 'leave', chatId });
      await visitor.message('queued');
      // SP-P4: her id stays hers, also in the list the visitor gets.
      const since = visitor.received.length;
      visitor.send({ type: 'bind', chatId, clientId: aliceId });
      const refused = await visitor.message('error', since);
      expect(refused).toMatchObject({ code: 'client_id_taken', ref: 'bind', chatId });

      bob.send({ type: 'set_available', available: true });
      expect((await bob.message('offer')).chatId).toBe(chatId);
      bob.send({ type: 'accept', chatId });
      const atBob = await bob.session(chatId);
      await until('bob linked', () => atBob.view.connection.status === 'connected');
      await until('bob has the earlier history', () => atBob.view.earlierHistory !== null);

      // The visitor writes under Alice's id anyway: every honest receiver refuses it.
      forge(
        atVisitor,
        aliceId,
        'Alice here: I confirm your refund',
        atVisitor.replica.highestSeq() + 1,
      );
      await until('bob refused the visitor', () => atBob.view.lastRefusal !== null);
      expect(atBob.view.lastRefusal).toEqual({ peer: atVisitor.self, code: 'foreign_struct' });
      expect(bodies(atBob)).not.toContain('Alice here: I confirm your refund');
      // Nobody's view shows the forged line as Alice's, or as Bob's own.
      for (const m of atBob.view.messages) expect(m.body).not.toContain('refund');
      // SP-P5: the monitors hear of it, and /metrics counts it.
      const event = await molly.message('security_event');
      expect(event).toMatchObject({
        chatId,
        reporter: { role: 'helper', name: expect.stringMatching(/bob/i) },
        peer: { id: atVisitor.self, role: 'visitor' },
        code: 'foreign_struct',
      });
      expect(await metric('peerdesk_peer_refusals_total')).toContain(
        'peerdesk_peer_refusals_total{code="foreign_struct",role="visitor"} 1',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'CH-S8 CH-C12 a visitor message numbered ahead of the conversation waits, is never shown, and drops the visitor',
    async () => {
      service = await startService({ transport: 'uws', demo: true });
      const alice = await staff('alice');
      const visitor = SessionParticipant.visitor(service.port);
      people.push(visitor);
      await visitor.message('welcome');
      visitor.send(REQUEST);
      const { chatId } = await alice.message('offer');
      alice.send({ type: 'accept', chatId });
      const [atVisitor, atAlice] = await Promise.all([
        visitor.session(chatId),
        alice.session(chatId),
      ]);
      await until(
        'both live',
        () => atVisitor.state.status === 'live' && atAlice.state.status === 'live',
      );
      await until('linked', () => atAlice.view.connection.status === 'connected');
      forge(
        atVisitor,
        atVisitor.doc.clientID,
        'I stay below every reply',
        Number.MAX_SAFE_INTEGER - 1,
      );
      expect(atAlice.send('A reply written after it').ok).toBe(true);
      await until(
        'alice dropped the visitor',
        () => atAlice.view.lastRefusal?.code === 'seq_ahead',
        20_000,
      );
      expect(bodies(atAlice)).toEqual(['A reply written after it']);
    },
    TEST_TIMEOUT_MS,
  );
});
