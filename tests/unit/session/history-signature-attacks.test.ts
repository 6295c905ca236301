/**
 * Signed helper lines in the earlier conversation (CHAT.md CH-V1–CH-V5, issue 19): a visitor
 * who alters a signed helper line (text, time, order), moves it, replays it from
 * another chat or invents one gets it shown unverified, never as the helper's; a
 * signature made with a key not bound to the line's client id fails. And end to end
 * through sessions: Alice signs, leaves; Bob sees her lines as hers.
 */
import * as Y from 'yjs';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  StaffBind,
  Bind,
  decodeEarlierHistory,
  filterUpdate,
  generateSigningKeys,
  messageSigner,
  verifyHelperLines,
  ParticipantBindings,
  type BoundKey,
  type ListedWriter,
  type MessageEntry,
  type MessageSigner,
} from '../../../protocol/index.ts';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { followUpThenEnd } from '../../../app/lib/console/chat-end.ts';
import type { FakeService } from './fake-world.ts';
import { CHAT, openSession, until, type Member, serviceWith } from './fake-world.ts';

const VISITOR = 5;
const ALICE = 7;
const BOB = 9;

async function signer(): Promise<MessageSigner> {
  const { alg, keys } = await generateSigningKeys();
  return messageSigner(alg, keys);
}

function bound(clientId: number, s: MessageSigner): BoundKey {
  return { clientId, ...s.publicKey };
}

/** A history as the visitor's document holds it: writes replayed under each client id. */
type Line = { client: number; id?: string; entry: MessageEntry };

function historyOf(lines: Line[]) {
  // One document, written under each line's client id in turn (a visitor can craft any).
  const out = new Y.Doc();
  const chat = new ChatDocument(out);
  for (const line of lines) {
    out.clientID = line.client;
    out.getMap('messages').set(line.id ?? chat.newMessageId(), line.entry);
  }
  const decoded = decodeEarlierHistory(Y.encodeStateAsUpdate(out));
  if (!decoded.ok) throw new Error(decoded.code);
  const visitor = new ParticipantBindings([{ id: 'v', role: 'visitor', clientIds: [VISITOR] }]);
  return decoded.history.lines(visitor.participant('v')!);
}

/** A line as Alice's session writes it: prepared, signed over its fields, then written. */
async function signedLine(
  s: MessageSigner,
  client: number,
  body: string,
  seq: number,
  chatId = CHAT,
): Promise<Line> {
  const doc = new Y.Doc();
  doc.clientID = client;
  const prepared = new ChatDocument(doc).prepareMessage({ kind: 'text', body }, 1_000 + seq, seq);
  if (!prepared.ok) throw new Error(prepared.code);
  const entry = { ...prepared.entry, seq };
  return {
    client,
    id: prepared.id,
    entry: { ...entry, sig: await s.sign(chatId, prepared.id, entry) },
  };
}

const visitorLine = (body: string, seq: number): Line => ({
  client: VISITOR,
  entry: { kind: 'text', body, at: 1_000 + seq, seq },
});

async function judged(lines: Line[], writers: ListedWriter[]) {
  const history = historyOf(lines);
  const ok = await verifyHelperLines(CHAT, history, writers);
  return history.map((l) => [l.body, l.seq, l.verified || ok.has(l.id)]);
}

describe('signed helper lines in the earlier conversation', () => {
  it('CH-V3 an honest history: Alice’s signed lines verify against the key bound to her client id', async () => {
    const alice = await signer();
    const writers = [{ role: 'helper' as const, clientIds: [ALICE], keys: [bound(ALICE, alice)] }];
    const lines = [
      visitorLine('My printer is on fire', 1),
      await signedLine(alice, ALICE, 'Unplug it', 2),
      visitorLine('Done', 3),
    ];
    expect(await judged(lines, writers)).toEqual([
      ['My printer is on fire', 1, true],
      ['Unplug it', 2, true],
      ['Done', 3, true],
    ]);
  });

  it('CH-V4 a visitor who alters a signed line’s text, time or order gets it unverified', async () => {
    const alice = await signer();
    const writers = [{ role: 'helper' as const, clientIds: [ALICE], keys: [bound(ALICE, alice)] }];
    const honest = await signedLine(alice, ALICE, 'No refund, sorry', 2);
    const altered: [string, Partial<MessageEntry>][] = [
      ['text', { body: 'Refund approved' }],
      ['time', { at: honest.entry.at + 60_000 }],
      ['order', { seq: 9 }],
      ['kind', { kind: 'system' }],
    ];
    for (const [what, change] of altered) {
      const lines = [
        visitorLine('Can I have a refund?', 1),
        { ...honest, entry: { ...honest.entry, ...change } },
      ];
      const verdicts = await judged(lines, writers);
      expect(verdicts[1]![2], what).toBe(false);
    }
  });

  it('CH-V4 an invented line, or Alice’s signature moved to another id or replayed from another chat, is unverified', async () => {
    const alice = await signer();
    const writers = [{ role: 'helper' as const, clientIds: [ALICE], keys: [bound(ALICE, alice)] }];
    const real = await signedLine(alice, ALICE, 'Fine', 2);
    const invented: Line = {
      client: ALICE,
      entry: { kind: 'text', body: 'Refund approved', at: 5, seq: 3 },
    };
    const moved: Line = {
      client: ALICE,
      id: `${ALICE.toString(36)}.AAAAAAAAAAAAAAAA`,
      entry: real.entry,
    };
    const otherChat = await signedLine(alice, ALICE, 'Refund approved', 4, 'another-chat');
    const verdicts = await judged([invented, moved, otherChat], writers);
    expect(verdicts.map((v) => v[2])).toEqual([false, false, false]);
  });

  it('CH-V3 a signature made with a key not bound to the line’s client id fails', async () => {
    const alice = await signer();
    const bob = await signer();
    const mallory = await signer();
    const writers = [
      { role: 'helper' as const, clientIds: [ALICE], keys: [bound(ALICE, alice)] },
      { role: 'helper' as const, clientIds: [BOB], keys: [bound(BOB, bob)] },
    ];
    const lines = [
      // Signed by Bob, written under Alice's client id.
      await signedLine(bob, ALICE, 'Refund approved', 1),
      // Signed by a key nobody bound.
      await signedLine(mallory, BOB, 'Refund approved too', 2),
      // A key listed under a client id the writer does not hold counts for nothing.
      await signedLine(mallory, ALICE, 'And a voucher', 3),
    ];
    const sneaky = [
      ...writers,
      { role: 'helper' as const, clientIds: [], keys: [bound(ALICE, mallory)] },
    ];
    expect((await judged(lines, sneaky)).map((v) => v[2])).toEqual([false, false, false]);
    // A visitor's own key, bound with a visitor's client id, never makes a helper line.
    const visitorKeyed = [
      { role: 'visitor' as const, clientIds: [ALICE], keys: [bound(ALICE, mallory)] },
    ];
    expect((await judged([lines[2]!], visitorKeyed)).map((v) => v[2])).toEqual([false]);
  });

  it('CH-A7 CH-V2 a visitor’s own message carrying a signature is refused invalid_entry', () => {
    const bindings = new ParticipantBindings([
      { id: 'v', role: 'visitor', clientIds: [VISITOR] },
      { id: 'a', role: 'helper', clientIds: [ALICE] },
    ]);
    const doc = new Y.Doc();
    doc.clientID = VISITOR;
    const chat = new ChatDocument(doc);
    doc.getMap('messages').set(chat.newMessageId(), {
      kind: 'text',
      body: 'x',
      at: 1,
      seq: 1,
      sig: 'A'.repeat(86),
    });
    const result = filterUpdate(Y.encodeStateAsUpdate(doc), {
      sender: bindings.participant('v')!,
      bindings,
      message: 'update',
    });
    expect(result).toMatchObject({ ok: false, code: 'invalid_entry' });
  });

  it('SP-P6 bind: staff may add a key, exactly sized for its algorithm; the visitor’s bind takes none', async () => {
    const alice = await signer();
    const base = { type: 'bind', chatId: CHAT, clientId: ALICE };
    expect(v.is(StaffBind, { ...base, key: alice.publicKey })).toBe(true);
    expect(v.is(StaffBind, { ...base, key: { alg: 'Ed25519', key: 'A'.repeat(87) } })).toBe(false);
    expect(v.is(StaffBind, { ...base, key: { alg: 'ECDSA-P256', key: 'A'.repeat(43) } })).toBe(
      false,
    );
    expect(v.is(StaffBind, { ...base, key: { ...alice.publicKey, extra: 1 } })).toBe(false);
    expect(v.is(Bind, { ...base, key: alice.publicKey })).toBe(false);
  });
});

describe('signed lines through sessions', () => {
  const sessions: ChatSession[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.destroy();
  });
  const VERA: Member = { id: 'vera', role: 'visitor', name: 'Vera' };
  const ALICE_M: Member = { id: 'alice', role: 'helper', name: 'Alice' };
  const BOB_M: Member = { id: 'bob', role: 'helper', name: 'Bob' };

  async function start(service: FakeService, member: Member, sign: boolean) {
    const s = await openSession(service, member, { sign });
    sessions.push(s);
    return s;
  }
  const bodies = (s: ChatSession) => s.view.messages.map((m) => m.body);

  it('CH-V2 a signed message keeps the id send returned: ending after a follow-up waits for it to arrive, not for the deadline', async () => {
    const service = serviceWith(VERA, ALICE_M);
    const vera = await start(service, VERA, false);
    const alice = await start(service, ALICE_M, true);
    await until('linked', () => vera.view.connection.status === 'connected');
    await until('alice live', () => alice.state.status === 'live');
    let ended = 0;
    // Timers that never fire: only the message's arrival can end the chat.
    const never = { setTimeout: () => 0, clearTimeout: () => {} };
    expect(followUpThenEnd(alice, 'Following up by email', () => ended++, never)).toBe(true);
    await until('ended once delivered', () => ended === 1);
    expect(bodies(vera)).toEqual(['Following up by email']);
    const written = alice.view.messages[0]!;
    expect(written.localId).toMatch(/^local-/);
    expect(written.id).not.toBe(written.localId);
  });

  it('CH-V1–CH-V3 Alice signs what she writes; after a requeue Bob sees her earlier lines as hers, verified', async () => {
    const service = serviceWith(VERA, ALICE_M);
    const vera = await start(service, VERA, false);
    const alice = await start(service, ALICE_M, true);
    await until('linked', () => vera.view.connection.status === 'connected');
    vera.send('my printer');
    await until('alice has it', () => bodies(alice).includes('my printer'));
    alice.send('turn it off');
    alice.send('and on again');
    await until('vera has both', () => bodies(vera).length === 3);
    expect(bodies(vera)).toEqual(['my printer', 'turn it off', 'and on again']);
    expect(
      service.requests.find((r) => r.from === 'alice' && r.msg.type === 'bind')?.msg,
    ).toHaveProperty('key');

    await alice.destroy();
    sessions.splice(sessions.indexOf(alice), 1);
    service.leave(ALICE_M.id);
    service.join(BOB_M);
    const bob = await start(service, BOB_M, true);
    await until(
      'bob verified alice',
      () => (bob.view.earlierHistory?.lines ?? []).filter((l) => l.verified).length === 3,
    );
    const history = bob.view.earlierHistory!;
    expect(history.helperLinesUnverified).toBe(false);
    expect(history.lines.map((l) => [l.body, l.author?.name, l.verified])).toEqual([
      ['my printer', 'Vera', true],
      ['turn it off', 'Alice', true],
      ['and on again', 'Alice', true],
    ]);
    bob.send('Bob here');
    await until('vera has bob', () => bodies(vera).includes('Bob here'));
    expect(vera.view.messages.map((m) => m.author?.name)).toEqual([
      'Vera',
      'Alice',
      'Alice',
      'Bob',
    ]);
  });
});
