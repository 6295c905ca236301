/**
 * ChatSession over fakes (fake-world.ts): the real LinkManager, ChatReplica and
 * session logic, with a fake switchboard, loopback links and in-memory storage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { LINK_OPEN_MARK } from '../../../app/lib/session/session-marks.ts';
import { chatStoreName } from '../../../app/lib/session/chat-store.ts';
import {
  CHAT,
  FakeLocks,
  FakeService,
  MemoryStores,
  openSession,
  until,
  type Member,
  ALICE,
  VERA,
  serviceWith,
} from './fake-world.ts';

const BOB: Member = { id: 'b1', role: 'helper', name: 'Bob' };
const MONA: Member = { id: 'm1', role: 'monitor', name: 'Mona' };

const sessions: ChatSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.destroy();
});

async function start(service: FakeService, member: Member, extra = {}) {
  const session = await openSession(service, member, extra);
  sessions.push(session);
  return session;
}

const bodies = (s: ChatSession) => s.view.messages.map((m) => m.body);

async function chatOf(...members: Member[]) {
  const service = new FakeService();
  for (const m of members) service.join(m);
  const out: ChatSession[] = [];
  for (const m of members) out.push(await start(service, m));
  return { service, sessions: out };
}

describe('chat session', () => {
  it('CH-C11 writes nothing before the participants echo shows its client id bound; what was typed waits, pending', async () => {
    const service = serviceWith(VERA, ALICE);
    service.online = false;
    const vera = await start(service, VERA);
    expect(vera.state.status).toBe('binding');
    expect(vera.send('hello?')).toMatchObject({ ok: true });
    expect(vera.view.messages).toMatchObject([{ body: 'hello?', pending: true, mine: true }]);
    expect(vera.replica.chat.messages()).toEqual([]);

    service.setOnline(true);
    const alice = await start(service, ALICE);
    await until('vera bound', () => vera.state.status === 'live');
    const bind = service.requests.find((r) => r.from === VERA.id && r.msg.type === 'bind');
    expect(bind?.msg).toEqual({ type: 'bind', chatId: CHAT, clientId: vera.doc.clientID });
    await until('alice has it', () => bodies(alice).includes('hello?'));
    await until('no longer pending', () => vera.view.messages.every((m) => !m.pending));
    expect(bodies(vera)).toEqual(['hello?']);
  });

  it('messages both ways, with authors from the bindings and pending until a peer has them', async () => {
    const {
      sessions: [vera, alice],
    } = await chatOf(VERA, ALICE);
    await until('both live', () => vera!.state.status === 'live' && alice!.state.status === 'live');
    await until('linked', () => vera!.view.connection.status === 'connected');
    expect(vera!.view.connection).toEqual({ status: 'connected', peers: 1 });
    const sent = vera!.send('  my printer is on fire  ');
    expect(sent.ok).toBe(true);
    expect(vera!.view.messages[0]).toMatchObject({ body: 'my printer is on fire', pending: true });
    alice!.send('Please step away from it.');
    await until('both have both', () => bodies(vera!).length === 2 && bodies(alice!).length === 2);
    await until('nothing pending', () => vera!.view.messages.every((m) => !m.pending));
    expect(alice!.view.messages.map((m) => [m.author?.name, m.author?.role, m.mine])).toEqual([
      ['Vera', 'visitor', false],
      ['Alice', 'helper', true],
    ]);
    expect(vera!.send('   ')).toEqual({ ok: false, code: 'empty' });
    expect(vera!.send('x'.repeat(6000))).toEqual({ ok: false, code: 'message_too_long' });
  });

  it('marks the opening of each link with a User Timing mark naming the chat and the peer', async () => {
    performance.clearMarks(LINK_OPEN_MARK);
    const {
      sessions: [vera, alice],
    } = await chatOf(VERA, ALICE);
    await until('linked', () => vera!.view.connection.status === 'connected');
    await until('both ends', () => alice!.view.connection.status === 'connected');
    const details = performance
      .getEntriesByName(LINK_OPEN_MARK)
      .map((mark) => (mark as PerformanceMark).detail as unknown);
    expect(details).toEqual(
      expect.arrayContaining([
        { chatId: CHAT, peer: ALICE.id },
        { chatId: CHAT, peer: VERA.id },
      ]),
    );
  });

  it('a reload shows the stored transcript at once, reuses its claimed client id, and merges with nothing doubled', async () => {
    const service = serviceWith(VERA, ALICE);
    const stores = new MemoryStores();
    const locks = new FakeLocks();
    const vera = await start(service, VERA, { stores, locks });
    const alice = await start(service, ALICE);
    await until('live', () => vera.state.status === 'live');
    vera.send('one');
    alice.send('two');
    await until('synced', () => bodies(vera).length === 2 && bodies(alice).length === 2);
    const clientId = vera.doc.clientID;
    await vera.destroy();
    sessions.splice(sessions.indexOf(vera), 1);

    // The service is down while the page reloads: the transcript still shows, and the
    // reused id is bound already (notes), so writing resumes at once.
    service.setOnline(false);
    const again = await start(service, VERA, { stores, locks });
    expect(again.doc.clientID).toBe(clientId);
    expect(bodies(again)).toEqual(['one', 'two']);
    expect(again.view.messages.map((m) => m.author?.name)).toEqual(['Vera', 'Alice']);
    expect(again.state.status).toBe('live');
    again.send('three');
    service.setOnline(true);
    await until('alice has three', () => bodies(alice).includes('three'));
    await until('vera settled', () => again.view.messages.every((m) => !m.pending));
    expect(bodies(again)).toEqual(['one', 'two', 'three']);
    expect(bodies(alice)).toEqual(['one', 'two', 'three']);
    expect(
      service.requests.filter((r) => r.from === VERA.id && r.msg.type === 'bind'),
    ).toHaveLength(1);
  });

  it('a visitor and a helper in one browser profile keep separate stores (the two-window demo)', async () => {
    const service = serviceWith(VERA, ALICE);
    const stores = new MemoryStores();
    const locks = new FakeLocks();
    const vera = await start(service, VERA, { stores, locks });
    const alice = await start(service, ALICE, { stores, locks });
    await until('live', () => vera.state.status === 'live' && alice.state.status === 'live');
    vera.send('from the visitor');
    alice.send('from the helper');
    await until('synced', () => bodies(vera).length === 2 && bodies(alice).length === 2);
    await until('settled', () => alice.view.messages.every((m) => !m.pending));
    await alice.destroy();
    sessions.splice(sessions.indexOf(alice), 1);

    const again = await start(service, ALICE, { stores, locks });
    expect(again.view.messages.map((m) => [m.body, m.mine])).toEqual([
      ['from the visitor', false],
      ['from the helper', true],
    ]);
    expect(new Set(stores.notes.keys()).size).toBe(2);

    // The visitor's reload takes back the visitor's own client id, not the helper's.
    const veraClient = vera.doc.clientID;
    await vera.destroy();
    sessions.splice(sessions.indexOf(vera), 1);
    const veraAgain = await start(service, VERA, { stores, locks });
    expect(veraAgain.doc.clientID).toBe(veraClient);
  });

  it('CH-C11 a second tab that cannot claim the client id writes with a fresh one, bound first', async () => {
    const service = serviceWith(VERA, ALICE);
    const stores = new MemoryStores();
    const locks = new FakeLocks();
    const first = await start(service, VERA, { stores, locks });
    await start(service, ALICE);
    await until('live', () => first.state.status === 'live');
    first.send('from the first tab');
    await until(
      'stored',
      () => stores.notes.get(chatStoreName(CHAT, VERA.id))?.includes('clientIds') ?? false,
    );
    const second = await start(service, VERA, { stores, locks });
    expect(second.doc.clientID).not.toBe(first.doc.clientID);
    await until('second live', () => second.state.status === 'live');
    expect(service.participants.get(VERA.id)?.clientIds).toEqual([
      first.doc.clientID,
      second.doc.clientID,
    ]);
  });

  it('F9 a helper message is read when the visitor has it on screen while the chat is visible; the time is kept', async () => {
    let clock = 1_000;
    const service = serviceWith(VERA, ALICE);
    const vera = await start(service, VERA, { now: () => clock });
    const alice = await start(service, ALICE, { now: () => clock });
    await until('live', () => vera.state.status === 'live' && alice.state.status === 'live');
    alice.send('Hi Vera');
    await until('vera has it', () => bodies(vera).length === 1);
    const id = vera.view.messages[0]!.id;

    vera.setOnScreen(id, true); // on screen, but the tab is hidden
    vera.setVisibility({ pageVisible: false, chatOpen: true });
    clock = 2_000;
    vera.setVisibility({ pageVisible: true, chatOpen: false }); // widget closed
    expect(vera.replica.chat.readStates(vera.replica.bindings).size).toBe(0);
    clock = 3_000;
    vera.setVisibility({ pageVisible: true, chatOpen: true });
    await until('alice sees the receipt', () => alice.view.messages[0]!.readBy.length === 1);
    expect(alice.view.messages[0]!.readBy).toEqual([
      { participant: VERA.id, name: 'Vera', at: 3_000 },
    ]);
  });

  it('CH-W1 F10 the visitor’s draft reaches the helper as a typing preview, and not when the service disables it', async () => {
    const {
      service,
      sessions: [vera, alice],
    } = await chatOf(VERA, ALICE);
    await until('linked', () => vera!.view.connection.status === 'connected');
    vera!.setVisibility({ pageVisible: true, chatOpen: true, focused: true });
    vera!.setDraft('my print');
    await until('preview', () => alice!.view.presence[0]?.draft === 'my print');
    expect(alice!.view.presence[0]).toMatchObject({ name: 'Vera', typing: true, focus: 'focused' });
    vera!.viewPage({ url: 'https://help.example/printers', title: 'Printers' });
    await until('page', () => alice!.view.presence[0]?.page?.title === 'Printers');
    expect(alice!.view.messages.at(-1)).toMatchObject({ kind: 'page', body: 'Printers' });

    service.typingPreview = false;
    service.setOnline(false);
    service.setOnline(true);
    vera!.setDraft('my printer');
    await until('typing without draft', () => alice!.view.presence[0]?.draft === undefined);
    expect(alice!.view.presence[0]?.typing).toBe(true);
  });

  it('CH-W5 CH-N3 a monitor reads the chat and the visitor’s typing preview, writes no message but a staff note', async () => {
    const {
      sessions: [vera, alice, mona],
    } = await chatOf(VERA, ALICE, MONA);
    await until(
      'linked',
      () =>
        alice!.view.connection.status === 'connected' &&
        mona!.view.connection.status === 'connected',
    );
    expect(mona!.state.status).toBe('read-only');
    vera!.setVisibility({ pageVisible: true, chatOpen: true });
    vera!.setDraft('my order is');
    vera!.send('hello');
    vera!.setDraft('my order is 12');
    await until('mona reads it', () => bodies(mona!).includes('hello'));
    await until('mona sees the draft, relayed by alice', () =>
      mona!.view.presence.some((p) => p.id === VERA.id && p.draft === 'my order is 12'),
    );
    expect(mona!.send('I am watching')).toEqual({ ok: false, code: 'not_writable' });
    await until('mona may write notes', () => mona!.view.canWriteNotes);
    expect(mona!.writeNote('Offer the refund.').ok).toBe(true);
    await until('alice has the note', () =>
      alice!.view.notes.some((n) => n.body === 'Offer the refund.' && n.author?.id === MONA.id),
    );
    expect(vera!.view.notes).toEqual([]);
    expect(vera!.writeNote('from the visitor')).toEqual({ ok: false, code: 'not_writable' });
  });

  it('B1 the connection view: connecting, connected to N peers, service offline but chat continues, ended', async () => {
    const {
      service,
      sessions: [vera, alice],
    } = await chatOf(VERA, ALICE);
    expect(['connecting', 'connected']).toContain(vera!.view.connection.status);
    await until('linked', () => vera!.view.connection.status === 'connected');
    service.setOnline(false);
    await until('offline', () => vera!.view.connection.status === 'service-offline');
    expect(vera!.view.connection).toEqual({ status: 'service-offline', peers: 1 });
    vera!.send('still here');
    await until('arrives without the service', () => bodies(alice!).includes('still here'));
    expect(alice!.end()).toBe(false);
    service.setOnline(true);
    expect(alice!.end()).toBe(true);
    await until('ended', () => vera!.view.connection.status === 'ended');
    expect(vera!.send('after the end')).toEqual({ ok: false, code: 'not_writable' });
  });

  it('B5 helpers take relay-only ICE when the service says so; visitors never', async () => {
    const service = new FakeService();
    service.relayOnly = true;
    service.join(VERA);
    service.join(ALICE);
    const vera = await start(service, VERA);
    await start(service, ALICE);
    await until('linked', () => vera.view.connection.status === 'connected');
    const alice = service.iceSeen.filter((s) => s.who === ALICE.id).at(-1);
    const visitor = service.iceSeen.filter((s) => s.who === VERA.id).at(-1);
    expect(alice?.ice).toEqual({
      iceServers: [{ urls: 'turn:turn.example:3478' }],
      relayOnly: true,
      onRelayRefused: expect.any(Function),
    });
    expect(visitor?.ice.relayOnly).toBe(false);
  });

  it('B5 a relay that refuses the credentials shows in the view', async () => {
    const service = new FakeService();
    service.relayOnly = true;
    service.join(VERA);
    service.join(ALICE);
    await start(service, VERA);
    const alice = await start(service, ALICE);
    const ice = service.iceSeen.filter((s) => s.who === ALICE.id).at(-1)!.ice;
    expect(alice.view.relayRefusal).toBeNull();
    ice.onRelayRefused?.({ url: 'turn:turn.example:3478', code: 401, text: 'Unauthorized' });
    await until('refusal shown', () => alice.view.relayRefusal !== null);
    expect(alice.view.relayRefusal).toEqual({
      url: 'turn:turn.example:3478',
      code: 401,
      text: 'Unauthorized',
      expiredAt: null,
    });
  });

  it('CH-K1–CH-K3 CH-K6 after a requeue the new helper gets the visitor’s messages in the chat document and the rest only as earlier history', async () => {
    const service = serviceWith(VERA, ALICE);
    const vera = await start(service, VERA);
    const alice = await start(service, ALICE);
    await until('linked', () => vera.view.connection.status === 'connected');
    vera.send('my printer');
    await until('alice has it', () => bodies(alice).includes('my printer'));
    alice.send('turn it off and on');
    await until('synced', () => bodies(vera).length === 2);
    expect(vera.replica.holdsUnboundStructs()).toBe(false);

    // Alice's grace ends: the chat is requeued and Bob accepts it.
    await alice.destroy();
    sessions.splice(sessions.indexOf(alice), 1);
    service.leave(ALICE.id);
    await until('vera alone', () => vera.view.connection.status === 'connecting');
    service.join(BOB);
    const bob = await start(service, BOB);
    await until('bob has the earlier history', () => bob.view.earlierHistory !== null);
    await until('bob has vera’s message', () => bodies(bob).includes('my printer'));

    // Trusted document: only what Bob can verify. Alice's line never entered it.
    expect(bodies(bob)).toEqual(['my printer']);
    const history = bob.view.earlierHistory!;
    expect(history.helperLinesUnverified).toBe(true);
    expect(
      history.lines.map((l) => [l.body, l.claimedRole, l.verified, l.alsoInTranscript]),
    ).toEqual([
      ['my printer', 'visitor', true, true],
      ['turn it off and on', 'helper', false, false],
    ]);
    expect(history.lines[1]!.author).toBeNull();
    // The visitor still shows Alice by name: the service lists her as a former participant (SP-P4).
    expect(vera.view.messages.map((m) => m.author?.name)).toEqual(['Vera', 'Alice']);
    bob.send('Bob here, did that help?');
    await until('vera has bob', () => bodies(vera).includes('Bob here, did that help?'));
    // CH-K6: Bob's reply sorts after the earlier conversation, though his document lacks Alice's line.
    expect(vera.view.messages.map((m) => m.author?.name)).toEqual(['Vera', 'Alice', 'Bob']);
    expect(vera.view.lastRefusal).toBeNull();
    expect(bob.view.lastRefusal).toBeNull();
  });

  it('CH-K7 the earlier history is stored beside the document and shown again after a reload, never merged', async () => {
    const service = serviceWith(VERA, ALICE);
    const vera = await start(service, VERA);
    const alice = await start(service, ALICE);
    await until('linked', () => vera.view.connection.status === 'connected');
    vera.send('my printer');
    await until('alice has it', () => bodies(alice).includes('my printer'));
    alice.send('turn it off and on');
    await until('synced', () => bodies(vera).length === 2);
    await alice.destroy();
    sessions.splice(sessions.indexOf(alice), 1);
    service.leave(ALICE.id);
    service.join(BOB);
    const stores = new MemoryStores();
    const bob = await start(service, BOB, { stores });
    await until('bob has the earlier history', () => bob.view.earlierHistory !== null);
    await until('stored', () => stores.histories.size === 1);
    await bob.destroy();
    sessions.splice(sessions.indexOf(bob), 1);

    // Bob reloads while the service is down: no link, so no new history from the visitor.
    service.setOnline(false);
    const again = await start(service, BOB, { stores });
    expect(again.view.connection.status).toBe('connecting');
    expect(again.view.earlierHistory?.lines.map((l) => [l.body, l.claimedRole])).toEqual([
      ['my printer', 'visitor'],
      ['turn it off and on', 'helper'],
    ]);
    // CH-K2: the document itself never holds Alice's line.
    expect(bodies(again)).toEqual(['my printer']);
    // CH-K6: a reply written now still sorts after the stored history.
    again.send('Bob again');
    service.setOnline(true);
    await until('vera has it', () => bodies(vera).includes('Bob again'));
    expect(vera.view.messages.map((m) => m.body)).toEqual([
      'my printer',
      'turn it off and on',
      'Bob again',
    ]);
  });
});
