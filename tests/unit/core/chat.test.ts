import { describe, expect, it } from 'vitest';
import type { SignalData } from '../../../protocol/index.ts';
import { DEFAULT_CORE_CONFIG } from '../../../signal/core/events.ts';
import type { OpenChatRecord, Snapshot } from '../../../signal/core/records.ts';
import { CoreDriver, DEPARTMENTS, account, requestMsg } from '../../fixtures/core-driver.ts';

const offerData: SignalData = { kind: 'description', type: 'offer', sdp: 'v=0 test' };

/** A visitor in an active chat with helper alice. */
function activeChat(d = new CoreDriver()) {
  const alice = d.staff(account('alice'));
  const visitor = d.visitor('v1', '192.0.2.50');
  d.fromVisitor(visitor, requestMsg());
  const chatId = d.pendingOffer(alice)!;
  d.fromStaff(alice, { type: 'accept', chatId });
  return { d, alice, visitor, chatId };
}

function snapshotFrom(d: CoreDriver): Snapshot {
  const open = new Map<string, OpenChatRecord>();
  const accounts = new Map(d.snapshot.accounts.map((a) => [a.id, a]));
  for (const c of d.persisted) {
    if (c.op === 'open_chat') open.set(c.chat.chatId, c.chat);
    if (c.op === 'close_chat') open.delete(c.chatId);
    if (c.op === 'account') accounts.set(c.account.id, c.account);
  }
  return {
    accounts: [...accounts.values()],
    departments: DEPARTMENTS,
    blocks: [],
    openChats: [...open.values()],
  };
}

describe('invitations', () => {
  it('SP-I1 SP-I2 a helper invites by nickname; a trainee accepts and joins the chat', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const tina = d.staff(account('tina', 'trainee'));
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'Tina' });
    expect(d.last(tina, 'invitation')).toMatchObject({
      chatId,
      from: 'alice',
      visitor: { name: 'Vera' },
    });
    d.fromStaff(tina, { type: 'invite_accept', chatId });
    expect(d.last(tina, 'chat')).toMatchObject({ chatId, role: 'helper' });
    const seen = d.last(visitor, 'participants')!.participants.map((p) => [p.id, p.role]);
    expect(seen).toEqual([
      ['v1', 'visitor'],
      ['alice', 'helper'],
      ['tina', 'helper'],
    ]);
  });

  it('SP-I1 a trainee cannot invite; unknown and offline nicknames are refused', () => {
    const { d, alice, chatId } = activeChat();
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'nobody' });
    expect(d.last(alice, 'error')?.code).toBe('unknown_helper');
    const bob = d.staff(account('bob'));
    d.disconnect(bob);
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'bob' });
    expect(d.last(alice, 'error')?.code).toBe('helper_offline');
    const tina = d.staff(account('tina', 'trainee'));
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'tina' });
    d.fromStaff(tina, { type: 'invite_accept', chatId });
    const carl = d.staff(account('carl'), { available: false });
    d.fromStaff(tina, { type: 'invite', chatId, nickname: 'carl' });
    expect(d.last(tina, 'error')?.code).toBe('forbidden');
    expect(d.of(carl, 'invitation')).toHaveLength(0);
  });

  it('SP-I2 SP-O2 a chat joined by invitation counts: the next offer goes to a helper with fewer', () => {
    const { d, alice, chatId } = activeChat();
    d.now += 1;
    const bob = d.staff(account('bob'));
    d.now += 1;
    const carl = d.staff(account('carl'));
    // bob has been idle longer than carl, but takes alice's chat by invitation.
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'bob' });
    d.fromStaff(bob, { type: 'invite_accept', chatId });
    d.fromVisitor(d.visitor('v2'), requestMsg());
    expect(d.pendingOffer(carl)).not.toBeNull();
    expect(d.pendingOffer(bob)).toBeNull();
  });

  it('SP-I2 an invitation expires', () => {
    const { d, alice, chatId } = activeChat();
    const bob = d.staff(account('bob'));
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'bob' });
    d.advance(DEFAULT_CORE_CONFIG.inviteTimeoutMs);
    expect(d.last(bob, 'invitation_closed')).toMatchObject({ chatId, reason: 'expired' });
    d.fromStaff(bob, { type: 'invite_accept', chatId });
    expect(d.last(bob, 'error')?.code).toBe('no_invitation');
  });

  it('SP-I2 an invitee who drops loses every invitation it held, answered or not', () => {
    const { d, alice, chatId } = activeChat();
    // alice's second chat, so bob holds invitations to two.
    d.fromVisitor(d.visitor('v2'), requestMsg());
    const second = d.pendingOffer(alice)!;
    d.fromStaff(alice, { type: 'accept', chatId: second });
    const bob = d.staff(account('bob'));
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'bob' });
    d.fromStaff(alice, { type: 'invite', chatId: second, nickname: 'bob' });
    expect(d.of(bob, 'invitation')).toHaveLength(2);
    d.fromStaff(bob, { type: 'invite_accept', chatId });
    d.disconnect(bob);
    const back = d.staff(account('bob'));
    d.fromStaff(back, { type: 'invite_accept', chatId: second });
    expect(d.last(back, 'error')).toMatchObject({ code: 'no_invitation', chatId: second });
    // The chat bob joined before dropping is still his (SP-G2 grace).
    expect(d.last(back, 'status')?.activeChats).toEqual([chatId]);
  });

  it('SP-I3 SP-L3 the inviter may leave and the chat stays with the invitee; invitee limits hold', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const bob = d.staff(account('bob', 'helper', 1), { available: false });
    d.fromStaff(alice, { type: 'invite', chatId, nickname: 'bob' });
    d.fromStaff(bob, { type: 'invite_accept', chatId });
    d.fromStaff(alice, { type: 'leave', chatId });
    expect(d.last(alice, 'left')?.chatId).toBe(chatId);
    expect(d.last(visitor, 'participants')!.participants.map((p) => p.id)).toEqual(['v1', 'bob']);
    // bob is at his limit of 1: a second invitation is refused.
    const v2 = d.visitor('v2');
    d.fromVisitor(v2, requestMsg());
    const c2 = d.pendingOffer(alice)!;
    d.fromStaff(alice, { type: 'accept', chatId: c2 });
    d.fromStaff(alice, { type: 'invite', chatId: c2, nickname: 'bob' });
    expect(d.last(alice, 'error')?.code).toBe('at_chat_limit');
  });
});

describe('monitors', () => {
  it('SP-M1 SP-M2 SP-M3 a monitor lists and watches a chat, unseen by the visitor, outside any limit', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const molly = d.staff(account('molly', 'monitor', 1), { available: false });
    d.fromStaff(molly, { type: 'list_chats' });
    expect(d.last(molly, 'live_chats')?.chats).toEqual([
      {
        chatId,
        department: 'general',
        visitorName: 'Vera',
        helpers: ['alice'],
        monitors: [],
        startedAt: d.now,
      },
    ]);
    d.clear(visitor);
    d.fromStaff(molly, { type: 'watch', chatId });
    expect(d.last(molly, 'chat')).toMatchObject({ chatId, role: 'monitor' });
    expect(d.last(alice, 'participants')!.participants.map((p) => p.role)).toEqual([
      'visitor',
      'helper',
      'monitor',
    ]);
    expect(d.messages(visitor)).toEqual([]);
    expect(d.last(molly, 'status')?.activeChats ?? []).toEqual([]);
  });

  it('SP-M1 helpers cannot list or watch', () => {
    const { d, chatId } = activeChat();
    const bob = d.staff(account('bob'));
    d.fromStaff(bob, { type: 'watch', chatId });
    expect(d.last(bob, 'error')?.code).toBe('forbidden');
    d.fromStaff(bob, { type: 'list_chats' });
    expect(d.last(bob, 'error')?.code).toBe('forbidden');
  });
});

describe('participants and relay', () => {
  it('SP-P1 SP-P2 bindings are announced to every peer, and a taken client id is refused', () => {
    const { d, alice, visitor, chatId } = activeChat();
    d.fromVisitor(visitor, { type: 'bind', chatId, clientId: 111 });
    d.fromStaff(alice, { type: 'bind', chatId, clientId: 222 });
    const list = d.last(alice, 'participants')!;
    expect(list.self).toBe('alice');
    expect(list.participants.map((p) => [p.id, p.clientIds, p.online])).toEqual([
      ['v1', [111], true],
      ['alice', [222], true],
    ]);
    d.fromStaff(alice, { type: 'bind', chatId, clientId: 111 });
    expect(d.last(alice, 'error')?.code).toBe('client_id_taken');
    for (let i = 0; i < DEFAULT_CORE_CONFIG.maxClientIdsPerParticipant; i++) {
      d.fromVisitor(visitor, { type: 'bind', chatId, clientId: 1000 + i });
    }
    expect(d.last(visitor, 'error')?.code).toBe('too_many_client_ids');
  });

  it("SP-P4 a departed helper's client id is never bound to the visitor, even after a restart", () => {
    const accounts = [account('alice'), account('bob')];
    const d = new CoreDriver({ accounts, departments: DEPARTMENTS, blocks: [], openChats: [] });
    const { alice, visitor, chatId } = activeChat(d);
    d.fromStaff(alice, { type: 'bind', chatId, clientId: 222 });
    d.fromStaff(alice, { type: 'leave', chatId });
    // The chat is queued again; alice's id stays hers, announced as a former participant.
    expect(d.last(visitor, 'participants')?.former).toMatchObject([
      { id: 'alice', role: 'helper', clientIds: [222] },
    ]);
    d.fromVisitor(visitor, { type: 'bind', chatId, clientId: 222 });
    expect(d.last(visitor, 'error')?.code).toBe('client_id_taken');

    const restarted = new CoreDriver(snapshotFrom(d));
    const v1 = restarted.visitor('v1', '192.0.2.50');
    restarted.fromVisitor(v1, { type: 'bind', chatId, clientId: 222 });
    expect(restarted.last(v1, 'error')?.code).toBe('client_id_taken');
    // Bob takes the chat: alice's lines are still alice's, and hers alone.
    const bob = restarted.staff(account('bob'));
    restarted.fromStaff(bob, { type: 'accept', chatId: restarted.pendingOffer(bob)! });
    restarted.fromStaff(bob, { type: 'bind', chatId, clientId: 222 });
    expect(restarted.last(bob, 'error')?.code).toBe('client_id_taken');
    const list = restarted.last(bob, 'participants')!;
    expect(list.participants.map((p) => [p.id, p.clientIds])).toEqual([
      ['v1', []],
      ['bob', []],
    ]);
    expect(list.former?.map((p) => [p.id, p.clientIds])).toEqual([['alice', [222]]]);
  });

  it('SP-P6 a staff key is kept with its client id for the life of the chat: announced, persisted, first one wins', () => {
    const accounts = [account('alice'), account('bob')];
    const d = new CoreDriver({ accounts, departments: DEPARTMENTS, blocks: [], openChats: [] });
    const { alice, visitor, chatId } = activeChat(d);
    const key = { alg: 'Ed25519' as const, key: 'A'.repeat(43) };
    d.fromStaff(alice, { type: 'bind', chatId, clientId: 222, key });
    // A second key for the same id changes nothing.
    d.fromStaff(alice, {
      type: 'bind',
      chatId,
      clientId: 222,
      key: { ...key, key: 'B'.repeat(43) },
    });
    expect(d.last(alice, 'participants')?.participants.find((p) => p.id === 'alice')?.keys).toEqual(
      [{ clientId: 222, ...key }],
    );
    d.fromStaff(alice, { type: 'leave', chatId });
    expect(d.last(visitor, 'participants')?.former).toMatchObject([
      { id: 'alice', clientIds: [222], keys: [{ clientId: 222, ...key }] },
    ]);
    // After a restart the next helper still learns it.
    const restarted = new CoreDriver(snapshotFrom(d));
    const bob = restarted.staff(account('bob'));
    restarted.fromStaff(bob, { type: 'accept', chatId: restarted.pendingOffer(bob)! });
    expect(restarted.last(bob, 'participants')?.former).toMatchObject([
      { id: 'alice', keys: [{ clientId: 222, ...key }] },
    ]);
  });

  it('SP-P4 a helper who takes a chat again gets back the client ids they wrote under', () => {
    const { d, alice, chatId } = activeChat();
    d.fromStaff(alice, { type: 'bind', chatId, clientId: 222 });
    d.fromStaff(alice, { type: 'leave', chatId });
    d.fromStaff(alice, { type: 'accept', chatId: d.pendingOffer(alice)! });
    const list = d.last(alice, 'participants')!;
    expect(list.participants.find((p) => p.id === 'alice')?.clientIds).toEqual([222]);
    expect(list.former).toEqual([]);
  });

  it('SP-P5 a peer refusal reaches the monitors once, and only from a participant', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const molly = d.staff(account('molly', 'monitor'));
    const report = { type: 'peer_refused', chatId, peer: 'v1', code: 'foreign_struct' } as const;
    d.fromStaff(alice, report);
    expect(d.last(molly, 'security_event')).toMatchObject({
      chatId,
      reporter: { id: 'alice', role: 'helper' },
      peer: { id: 'v1', role: 'visitor' },
      code: 'foreign_struct',
    });
    d.clear(molly);
    d.fromStaff(alice, report);
    expect(d.last(molly, 'security_event')).toBeUndefined();
    d.advance(10_000);
    d.fromStaff(alice, report);
    expect(d.last(molly, 'security_event')).toBeDefined();
    // Not about oneself, nor from or about strangers.
    d.fromVisitor(visitor, { ...report, peer: 'v1' });
    expect(d.last(visitor, 'error')?.code).toBe('not_participant');
    d.fromStaff(alice, { ...report, peer: 'nobody' });
    expect(d.last(alice, 'error')?.code).toBe('not_participant');
  });

  it('SP-R1 SP-R2 signals pass between participants with the sender stamped by the service', () => {
    const { d, alice, visitor, chatId } = activeChat();
    d.fromVisitor(visitor, { type: 'signal', chatId, to: 'alice', link: 'l1', data: offerData });
    expect(d.last(alice, 'signal')).toEqual({
      type: 'signal',
      chatId,
      from: 'v1',
      link: 'l1',
      data: offerData,
    });
  });

  it('SP-R1 signals to strangers, other chats, monitors from visitors, and oneself are refused', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const bob = d.staff(account('bob'));
    const v2 = d.visitor('v2');
    d.fromVisitor(v2, requestMsg());
    const c2 = d.pendingOffer(bob)!;
    d.fromStaff(bob, { type: 'accept', chatId: c2 });
    const molly = d.staff(account('molly', 'monitor'), { available: false });
    d.fromStaff(molly, { type: 'watch', chatId });
    const before =
      d.of(bob, 'signal').length + d.of(molly, 'signal').length + d.of(v2, 'signal').length;
    d.fromVisitor(visitor, { type: 'signal', chatId, to: 'bob', link: 'x', data: offerData });
    d.fromVisitor(visitor, { type: 'signal', chatId: c2, to: 'bob', link: 'x', data: offerData });
    d.fromVisitor(visitor, { type: 'signal', chatId, to: 'molly', link: 'x', data: offerData });
    d.fromStaff(molly, { type: 'signal', chatId, to: 'v1', link: 'x', data: offerData });
    d.fromStaff(alice, { type: 'signal', chatId, to: 'alice', link: 'x', data: offerData });
    d.fromStaff(bob, { type: 'signal', chatId, to: 'v1', link: 'x', data: offerData });
    expect(d.of(visitor, 'error').filter((e) => e.code === 'relay_refused')).toHaveLength(3);
    expect(d.last(molly, 'error')?.code).toBe('relay_refused');
    expect(d.last(alice, 'error')?.code).toBe('relay_refused');
    expect(d.last(bob, 'error')?.code).toBe('relay_refused');
    const after =
      d.of(bob, 'signal').length + d.of(molly, 'signal').length + d.of(v2, 'signal').length;
    expect(after).toBe(before);
    // A monitor and a helper may talk (the monitor syncs from helpers).
    d.fromStaff(molly, { type: 'signal', chatId, to: 'alice', link: 'm', data: offerData });
    expect(d.last(alice, 'signal')?.from).toBe('molly');
  });

  it('SP-R3 a signal to an offline participant is refused', () => {
    const { d, alice, visitor, chatId } = activeChat();
    d.disconnect(visitor);
    d.fromStaff(alice, { type: 'signal', chatId, to: 'v1', link: 'x', data: offerData });
    expect(d.last(alice, 'error')?.code).toBe('relay_refused');
  });
});

describe('disconnects and grace', () => {
  it('SP-G1 a helper who returns within the grace period keeps the chat', () => {
    const { d, alice, visitor, chatId } = activeChat();
    d.disconnect(alice);
    expect(
      d.last(visitor, 'participants')!.participants.find((p) => p.id === 'alice')?.online,
    ).toBe(false);
    d.advance(DEFAULT_CORE_CONFIG.helperGraceMs - 1);
    const again = d.staff(account('alice'), { chats: [chatId] });
    expect(d.last(again, 'chat')?.chatId).toBe(chatId);
    d.advance(10 * DEFAULT_CORE_CONFIG.helperGraceMs);
    expect(d.last(again, 'status')?.activeChats).toEqual([chatId]);
    expect(d.of(visitor, 'queued')).toHaveLength(1);
  });

  it('SP-G2 SP-Q2 when the grace ends the chat returns to the front of the queue for the next helper', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const waiting = d.visitor('v2');
    d.fromVisitor(waiting, requestMsg());
    d.disconnect(alice);
    d.advance(DEFAULT_CORE_CONFIG.helperGraceMs);
    expect(d.last(visitor, 'queued')).toMatchObject({ chatId, position: 1 });
    // SP-Q3: the visitors it went ahead of are told within one notice period.
    d.advance(DEFAULT_CORE_CONFIG.queueNoticeMs);
    expect(d.last(waiting, 'queued')?.position).toBe(2);
    const bob = d.staff(account('bob'));
    expect(d.pendingOffer(bob)).toBe(chatId);
    d.fromStaff(bob, { type: 'accept', chatId });
    expect(d.last(visitor, 'chat')?.chatId).toBe(chatId);
    expect(d.last(visitor, 'participants')!.participants.map((p) => p.id)).toEqual(['v1', 'bob']);
  });

  it('SP-G4 a watching monitor stays through a requeue and links with the next helper; it may stop watching the queued chat', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const molly = d.staff(account('molly', 'monitor', 1), { available: false });
    d.fromStaff(molly, { type: 'watch', chatId });
    d.clear(molly);
    d.disconnect(alice);
    d.advance(DEFAULT_CORE_CONFIG.helperGraceMs);
    expect(d.last(visitor, 'queued')).toMatchObject({ chatId, position: 1 });
    expect(d.of(molly, 'left')).toEqual([]);
    const listed = d.last(molly, 'participants')!;
    expect(listed.participants.map((p) => [p.id, p.role])).toEqual([
      ['v1', 'visitor'],
      ['molly', 'monitor'],
    ]);
    // The visitor still never learns of the monitor (SP-M2).
    expect(d.last(visitor, 'participants')!.participants.some((p) => p.role === 'monitor')).toBe(
      false,
    );

    const bob = d.staff(account('bob'));
    d.fromStaff(bob, { type: 'accept', chatId: d.pendingOffer(bob)! });
    expect(d.last(bob, 'participants')!.participants.map((p) => p.id)).toEqual([
      'v1',
      'molly',
      'bob',
    ]);
    // SP-R1: Bob and the monitor may signal each other, so Bob can take its copy (CHAT.md CH-K8).
    d.clear(molly);
    d.fromStaff(bob, { type: 'signal', chatId, to: 'molly', link: 'l9', data: offerData });
    expect(d.last(molly, 'signal')).toMatchObject({ chatId, from: 'bob' });

    // A monitor may also let a queued chat go.
    const again = activeChat();
    const mo = again.d.staff(account('mo', 'monitor', 1), { available: false });
    again.d.fromStaff(mo, { type: 'watch', chatId: again.chatId });
    again.d.disconnect(again.alice);
    again.d.advance(DEFAULT_CORE_CONFIG.helperGraceMs);
    again.d.fromStaff(mo, { type: 'unwatch', chatId: again.chatId });
    expect(again.d.last(mo, 'left')).toMatchObject({ chatId: again.chatId });
    expect(again.d.last(again.visitor, 'queued')).toMatchObject({ chatId: again.chatId });
  });

  it('SP-G3 a pending offer to a helper who disconnects goes to the next helper at once', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice'));
    d.fromVisitor(d.visitor('v1'), requestMsg());
    const chatId = d.pendingOffer(a)!;
    const b = d.staff(account('bob'));
    d.disconnect(a);
    expect(d.pendingOffer(b)).toBe(chatId);
  });

  it('SP-H3 SP-V2 a newer socket of the same account or visitor replaces the older one', () => {
    const { d, alice, visitor, chatId } = activeChat();
    const alice2 = d.staff(account('alice'));
    expect(d.closed.get(alice)).toBe('replaced');
    expect(d.last(alice2, 'chat')?.chatId).toBe(chatId);
    const visitor2 = d.visitor('v1', '192.0.2.50');
    expect(d.closed.get(visitor)).toBe('replaced');
    expect(d.last(visitor2, 'chat')?.chatId).toBe(chatId);
  });
});

describe('blocks', () => {
  it('SP-B1 SP-B2 a blocked visitor is told when it ends, the chat ends, and they cannot come back', () => {
    const { d, alice, visitor, chatId } = activeChat();
    d.fromStaff(alice, { type: 'block', chatId, reason: 'abuse', ip: false });
    const until = d.now + DEFAULT_CORE_CONFIG.blockDurationMs;
    expect(d.last(visitor, 'blocked')?.until).toBe(until);
    expect(d.closed.get(visitor)).toBe('blocked');
    expect(d.last(alice, 'ended')).toMatchObject({ chatId, by: 'helper' });
    expect(d.last(alice, 'blocked_visitor')).toMatchObject({ chatId, until, ip: false });
    const block = d.persisted.find((c) => c.op === 'block');
    expect(block).toMatchObject({
      block: { visitorId: 'v1', ip: null, reason: 'abuse', by: 'alice', until },
    });
    const back = d.visitor('v1', '198.18.0.1');
    expect(d.last(back, 'blocked')?.until).toBe(until);
    // Another visitor on the same IP is fine: only the visitor was blocked.
    const other = d.visitor('v9', '192.0.2.50');
    d.fromVisitor(other, requestMsg());
    expect(d.of(other, 'queued')).toHaveLength(1);
    d.advance(DEFAULT_CORE_CONFIG.blockDurationMs);
    const later = d.visitor('v1', '198.18.0.1');
    expect(d.of(later, 'welcome')).toHaveLength(1);
  });

  it('SP-B2 an IP block refuses any visitor from that address, at hello', () => {
    const { d, alice, chatId } = activeChat();
    d.fromStaff(alice, { type: 'block', chatId, reason: 'spam', ip: true });
    const fresh = d.visitor('someone-else', '192.0.2.50');
    expect(d.of(fresh, 'welcome')).toHaveLength(0);
    expect(d.closed.get(fresh)).toBe('blocked');
    expect(d.of(alice, 'offer')).toHaveLength(1);
  });

  it('SP-B1 only a helper of the chat, a monitor or an admin can block', () => {
    const { d, chatId } = activeChat();
    const bob = d.staff(account('bob'));
    d.fromStaff(bob, { type: 'block', chatId, reason: 'x', ip: false });
    expect(d.last(bob, 'error')?.code).toBe('not_participant');
    expect(d.persisted.some((c) => c.op === 'block')).toBe(false);
  });
});

describe('restart', () => {
  it('SP-S1 SP-S2 queued visitors keep their place and helpers get their chats back after a restart', () => {
    const accounts = [account('alice'), account('bob')];
    const d = new CoreDriver({ accounts, departments: DEPARTMENTS, blocks: [], openChats: [] });
    const { alice, chatId } = activeChat(d);
    d.fromStaff(alice, { type: 'set_available', available: false });
    d.now += 5;
    d.fromVisitor(d.visitor('v2'), requestMsg());
    d.now += 5;
    d.fromVisitor(d.visitor('v3'), requestMsg());

    const restarted = new CoreDriver(snapshotFrom(d));
    const v3 = restarted.visitor('v3');
    const v2 = restarted.visitor('v2');
    expect(restarted.last(v3, 'queued')?.position).toBe(2);
    expect(restarted.last(v2, 'queued')?.position).toBe(1);
    const a = restarted.staff(account('alice'), { chats: [chatId, 'c-gone'], available: false });
    expect(restarted.last(a, 'chat')?.chatId).toBe(chatId);
    expect(restarted.last(a, 'left')?.chatId).toBe('c-gone');
    const v1 = restarted.visitor('v1', '192.0.2.50');
    expect(restarted.last(v1, 'chat')?.chatId).toBe(chatId);
  });

  it('SP-S2 a chat whose helper does not come back after a restart returns to the queue', () => {
    const d = new CoreDriver({
      accounts: [account('alice')],
      departments: DEPARTMENTS,
      blocks: [],
      openChats: [],
    });
    const { chatId } = activeChat(d);
    const restarted = new CoreDriver(snapshotFrom(d));
    const v1 = restarted.visitor('v1', '192.0.2.50');
    restarted.advance(DEFAULT_CORE_CONFIG.restartGraceMs);
    expect(restarted.last(v1, 'queued')).toMatchObject({ chatId, position: 1 });
  });
});
