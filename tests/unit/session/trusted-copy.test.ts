/**
 * A trusted copy first (CHAT.md CH-K8, CH-K9, SPEC.md SP-G4), and what a visitor's forged copy
 * can and cannot do (CH-V3, CH-V4), through real sessions in the fake world: Alice signs and
 * leaves; Molly, a monitor, watched; the visitor's copy has one of Alice's lines altered
 * and one invented. Bob, who takes the chat over, sees Alice's lines as Molly holds them,
 * hers and verified; what only the visitor claims stays unverified and names nobody.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { splitConversation } from '../../../app/lib/console/earlier-conversation.ts';
import { FakeService, openSession, until, type Member } from './fake-world.ts';

const VERA: Member = { id: 'vera', role: 'visitor', name: 'Vera' };
const ALICE: Member = { id: 'alice', role: 'helper', name: 'Alice' };
const BOB: Member = { id: 'bob', role: 'helper', name: 'Bob' };
const MOLLY: Member = { id: 'molly', role: 'monitor', name: 'Molly' };

const sessions: ChatSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.destroy();
});

async function start(service: FakeService, member: Member, sign: boolean) {
  const s = await openSession(service, member, { sign });
  sessions.push(s);
  return s;
}

const bodies = (s: ChatSession) => s.view.messages.map((m) => m.body);

/** Vera and Alice talk, Molly optionally watching; Alice leaves. */
async function aliceLeaves(service: FakeService, watch: boolean) {
  service.join(VERA);
  service.join(ALICE);
  if (watch) service.join(MOLLY);
  const vera = await start(service, VERA, false);
  const alice = await start(service, ALICE, true);
  const molly = watch ? await start(service, MOLLY, true) : null;
  vera.send('Can I have a refund?');
  await until('alice has it', () => bodies(alice).includes('Can I have a refund?'));
  alice.send('No refund, sorry');
  alice.send('But here is a voucher');
  await until('vera has both', () => bodies(vera).length === 3);
  if (molly) await until('molly has all', () => bodies(molly).length === 3);
  const aliceClient = alice.doc.clientID;
  const refused = vera.view.messages.find((m) => m.body === 'No refund, sorry')!.id;
  await alice.destroy();
  sessions.splice(sessions.indexOf(alice), 1);
  service.leave(ALICE.id);
  return { vera, molly, aliceClient, refused };
}

/** The visitor rewrites its own copy: Alice's refusal becomes a yes, and a line is added
 * under Alice's client id. Nobody receives these structs as updates (nobody is linked):
 * they only travel in the visitor's history (CH-K1). */
function forge(vera: ChatSession, aliceClient: number, refused: string): void {
  const own = vera.doc.clientID;
  const messages = vera.doc.getMap('messages');
  const original = messages.get(refused) as Record<string, unknown>;
  vera.doc.clientID = aliceClient;
  messages.set(refused, { ...original, body: 'Refund approved' });
  messages.set(`${aliceClient.toString(36)}.AAAAAAAAAAAAAAAA`, {
    kind: 'text',
    body: 'And a second refund',
    at: 5,
    seq: 4,
  });
  vera.doc.clientID = own;
}

const shown = (s: ChatSession) =>
  splitConversation(s.view).earlier.map((e) => [
    e.body,
    e.earlier?.helper && !e.earlier.verified ? null : (e.author?.name ?? null),
  ]);

describe('a trusted copy first', () => {
  it('CH-K8 CH-K9 SP-G4 with a monitor watching, Bob takes the earlier conversation from the monitor; the visitor’s forgeries never pass as Alice’s', async () => {
    const service = new FakeService();
    const { vera, aliceClient, refused } = await aliceLeaves(service, true);
    forge(vera, aliceClient, refused);
    service.join(BOB);
    const bob = await start(service, BOB, true);
    await until(
      'bob has both copies, checked',
      () =>
        (bob.view.earlierHistory?.sources.length ?? 0) === 2 &&
        (bob.view.earlierHistory?.lines ?? []).filter((l) => l.verified).length === 3,
    );
    expect(bob.view.earlierHistory!.sources.map((s) => [s.from, s.name, s.role])).toEqual([
      ['staff', 'Molly', 'monitor'],
      ['visitor', 'Vera', 'visitor'],
    ]);
    // Alice's lines as Molly holds them, hers and verified; the invented one only fills a
    // gap in the staff copy, and names nobody (CH-V4).
    expect(shown(bob)).toEqual([
      ['Can I have a refund?', 'Vera'],
      ['No refund, sorry', 'Alice'],
      ['But here is a voucher', 'Alice'],
      ['And a second refund', null],
    ]);
    const lines = bob.view.earlierHistory!.lines;
    expect(lines.find((l) => l.id === refused)?.from).toBe('staff');
    expect(lines.find((l) => l.body === 'And a second refund')?.from).toBe('visitor');
    // CH-K6: Bob's reply sorts after all of it.
    bob.send('Bob here');
    await until('vera has bob', () => bodies(vera).includes('Bob here'));
    expect(splitConversation(bob.view).live.map((m) => m.body)).toEqual(['Bob here']);
  });

  it('CH-V4 CH-K9 without a staff copy, the visitor’s altered and invented lines show unverified, never as Alice’s', async () => {
    const service = new FakeService();
    const { vera, aliceClient, refused } = await aliceLeaves(service, false);
    forge(vera, aliceClient, refused);
    service.join(BOB);
    const bob = await start(service, BOB, true);
    await until(
      'bob checked the visitor’s copy',
      () =>
        (bob.view.earlierHistory?.lines.length ?? 0) === 4 &&
        (bob.view.earlierHistory?.lines ?? []).filter((l) => l.verified).length === 2,
    );
    expect(bob.view.earlierHistory!.sources.map((s) => s.from)).toEqual(['visitor']);
    expect(shown(bob)).toEqual([
      ['Can I have a refund?', 'Vera'],
      ['Refund approved', null],
      ['But here is a voucher', 'Alice'],
      ['And a second refund', null],
    ]);
    expect(splitConversation(bob.view).unverified).toBe(true);
  });

  it('CH-K8 a monitor who starts watching after the requeue takes Bob’s copy, and it names Bob', async () => {
    const service = new FakeService();
    await aliceLeaves(service, false);
    service.join(BOB);
    const bob = await start(service, BOB, true);
    await until('bob verified alice', () =>
      (bob.view.earlierHistory?.lines ?? []).every((l) => l.verified),
    );
    await until('bob has lines', () => (bob.view.earlierHistory?.lines.length ?? 0) === 3);
    service.join(MOLLY);
    const molly = await start(service, MOLLY, true);
    await until(
      'molly has the earlier conversation, checked',
      () =>
        (molly.view.earlierHistory?.lines ?? []).filter((l) => l.verified).length === 3 &&
        bodies(molly).length === 1,
    );
    expect(molly.view.earlierHistory!.sources.map((s) => [s.from, s.name])).toEqual([
      ['staff', 'Bob'],
    ]);
    expect(shown(molly)).toEqual([
      ['Can I have a refund?', 'Vera'],
      ['No refund, sorry', 'Alice'],
      ['But here is a voucher', 'Alice'],
    ]);
    // The copy never reaches the chat document (CH-K2): it holds only what Bob synced.
    expect(bodies(molly)).toEqual(['Can I have a refund?']);
  });
});
