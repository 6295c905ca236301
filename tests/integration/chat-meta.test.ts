/**
 * Chat tags and labels against the real service (SPEC.md SP-K1–SP-K7): strict decoding,
 * who may change them (each refused case), the size, count and rate limits, live
 * delivery to the chat's staff and the monitors' board (never to the visitor),
 * persistence across a restart, and the statistics over HTTP (JSON and CSV).
 * Every wait is for a message, never a sleep.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, isoDay, type ServiceToStaff, type StaffToService } from '../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../signal/auth/accounts.ts';
import { META_CHANGES_PER_WINDOW } from '../../signal/core/chat-meta.ts';
import { call, chatRequest } from './admin/admin-client.ts';
import { startService, type Service, type StaffClient, type VisitorClient } from './harness.ts';

type BoardChat = Extract<ServiceToStaff, { type: 'board' }>['chats'][number];
let ipCounter = 20;

function boardRow(client: StaffClient, chatId: string): BoardChat | undefined {
  let row: BoardChat | undefined;
  for (const msg of client.received) {
    if (msg.type === 'board' || msg.type === 'board_changes') {
      row = msg.chats.find((c) => c.chatId === chatId) ?? row;
    }
  }
  return row;
}

/** The next `chat_meta` of a chat whose tags and label pass `check`. */
async function metaWhere(
  client: StaffClient,
  check: (m: Extract<ServiceToStaff, { type: 'chat_meta' }>) => boolean,
): Promise<Extract<ServiceToStaff, { type: 'chat_meta' }>> {
  for (;;) {
    const m = await client.next('chat_meta');
    if (check(m)) return m;
  }
}

describe('chat tags and label', () => {
  let service: Service;
  const tokens = new Map<string, string>();

  async function begin(dataDir?: string): Promise<void> {
    service = await startService({
      transport: 'uws',
      demo: true,
      env: { TRUSTED_PROXIES: '127.0.0.1' },
      ...(dataDir === undefined ? {} : { dataDir }),
    });
    tokens.clear();
    for (const nickname of ['alice', 'bob', 'tina', 'molly']) {
      tokens.set(nickname, await service.signIn(nickname, DEMO_PASSWORD));
    }
  }

  beforeEach(() => begin());
  afterEach(async () => {
    await service.close();
  });

  async function staff(nickname: string, available = false, chats?: string[]) {
    const client = await service.staff();
    await client.hello(tokens.get(nickname)!, { available, ...(chats ? { chats } : {}) });
    return client;
  }

  /** A visitor's chat accepted by alice: [visitor, alice, chatId]. */
  async function activeChat(): Promise<[VisitorClient, StaffClient, string]> {
    const alice = await staff('alice', true);
    const visitor = await service.visitor({
      headers: { 'x-forwarded-for': `198.51.100.${ipCounter++}` },
    });
    await visitor.hello({ landingPage: 'https://help.example/' });
    visitor.send(chatRequest('Vera'));
    const offer = await alice.next('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    await alice.next('chat');
    await visitor.next('chat');
    return [visitor, alice, offer.chatId];
  }

  it('SP-K1 SP-K4 a tag and a label reach every helper and the board at once; the visitor hears nothing', async () => {
    const molly = await staff('molly');
    molly.send({ type: 'board_subscribe' });
    await molly.next('board');
    const [visitor, alice, chatId] = await activeChat();
    // SP-K4: with the chat comes its (empty) metadata.
    expect(await alice.next('chat_meta')).toEqual({
      type: 'chat_meta',
      chatId,
      tags: [],
      label: '',
    });

    alice.send({ type: 'tag_add', chatId, tag: 'crash' });
    expect(await alice.next('chat_meta')).toMatchObject({ tags: ['crash'], label: '' });
    alice.send({ type: 'label_set', chatId, label: '  refund asked  ' });
    expect(await alice.next('chat_meta')).toMatchObject({ tags: ['crash'], label: 'refund asked' });
    await expect
      .poll(() => boardRow(molly, chatId))
      .toMatchObject({
        tags: ['crash'],
        label: 'refund asked',
      });

    // An invited helper gets the metadata with the chat, and hears of later changes.
    const bob = await staff('bob');
    alice.send({ type: 'invite', chatId, nickname: 'bob' });
    await bob.next('invitation');
    bob.send({ type: 'invite_accept', chatId });
    await bob.next('chat');
    expect(await bob.next('chat_meta')).toMatchObject({ tags: ['crash'], label: 'refund asked' });
    bob.send({ type: 'tag_add', chatId, tag: 'solved' });
    await metaWhere(alice, (m) => m.tags.includes('solved'));
    await metaWhere(bob, (m) => m.tags.includes('solved'));

    // A monitor may change it from the board without watching; they are told too.
    molly.send({ type: 'tag_remove', chatId, tag: 'crash' });
    expect(await molly.next('chat_meta')).toMatchObject({ tags: ['solved'] });
    await metaWhere(alice, (m) => m.tags.join() === 'solved');

    // SP-K1: nothing of it ever reached the visitor's socket.
    const seen = JSON.stringify(visitor.received);
    expect(seen).not.toContain('crash');
    expect(seen).not.toContain('refund');
    expect(visitor.received.map((m) => m.type)).not.toContain('chat_meta');
  });

  it('SP-K2 tags and labels are decoded strictly: bad ones are bad_frame and change nothing', async () => {
    const [, alice, chatId] = await activeChat();
    await alice.next('chat_meta');
    const bad: unknown[] = [
      { type: 'tag_add', chatId, tag: 'Crash' },
      { type: 'tag_add', chatId, tag: 'no spaces' },
      { type: 'tag_add', chatId, tag: '-lead' },
      { type: 'tag_add', chatId, tag: '' },
      { type: 'tag_add', chatId, tag: 'x'.repeat(LIMITS.maxTagLength + 1) },
      { type: 'tag_add', chatId, tag: 7 },
      { type: 'tag_add', chatId, tag: 'crash', extra: 1 },
      { type: 'tag_add', tag: 'crash' },
      { type: 'tag_remove', chatId: 'bad id!', tag: 'crash' },
      { type: 'label_set', chatId, label: 'x'.repeat(LIMITS.maxLabelLength + 1) },
      { type: 'label_set', chatId, label: 'two\nlines' },
      { type: 'label_set', chatId },
    ];
    for (const frame of bad) {
      alice.sendRaw(JSON.stringify(frame));
      const error = await alice.nextError();
      expect(error, JSON.stringify(frame)).toMatchObject({ code: 'bad_frame' });
      expect(error.ref).toBe((frame as { type: string }).type);
    }
    // The longest allowed tag and label are taken.
    const longest = 'a'.repeat(LIMITS.maxTagLength);
    alice.send({ type: 'tag_add', chatId, tag: longest });
    alice.send({ type: 'label_set', chatId, label: 'é'.repeat(LIMITS.maxLabelLength) });
    await metaWhere(alice, (m) => m.tags.join() === longest && m.label.length === 100);
    expect(alice.received.filter((m) => m.type === 'chat_meta')).toHaveLength(3);
  });

  it('SP-K3 who may change them: each refused case', async () => {
    const [visitor, alice, chatId] = await activeChat();
    // A visitor's endpoint does not know these messages at all.
    const frames: StaffToService[] = [
      { type: 'tag_add', chatId, tag: 'crash' },
      { type: 'tag_remove', chatId, tag: 'crash' },
      { type: 'label_set', chatId, label: 'mine' },
    ];
    for (const frame of frames) {
      visitor.sendRaw(JSON.stringify(frame));
      expect(await visitor.nextError()).toMatchObject({ code: 'unknown_type', ref: frame.type });
    }
    // A helper or trainee who is not in the chat.
    for (const nickname of ['bob', 'tina']) {
      const other = await staff(nickname);
      for (const frame of frames) {
        other.send(frame);
        expect(await other.nextError()).toMatchObject({
          code: 'not_participant',
          ref: frame.type,
          chatId,
        });
      }
    }
    // A chat that does not exist, or has ended.
    alice.send({ type: 'tag_add', chatId: 'c-no-such-chat', tag: 'crash' });
    expect(await alice.nextError()).toMatchObject({ code: 'unknown_chat', ref: 'tag_add' });
    alice.send({ type: 'end', chatId });
    await alice.next('ended');
    alice.send({ type: 'label_set', chatId, label: 'late' });
    expect(await alice.nextError()).toMatchObject({ code: 'unknown_chat', ref: 'label_set' });
    // A monitor may, for any open chat: a queued one too.
    const molly = await staff('molly');
    const waiting = await service.visitor({
      headers: { 'x-forwarded-for': `198.51.100.${ipCounter++}` },
    });
    await waiting.hello();
    waiting.send(chatRequest('Walt'));
    const queued = (await waiting.next('queued')).chatId;
    molly.send({ type: 'tag_add', chatId: queued, tag: 'website' });
    expect(await molly.next('chat_meta')).toMatchObject({ chatId: queued, tags: ['website'] });
    // Nothing was told to anyone refused.
    expect(alice.received.filter((m) => m.type === 'chat_meta')).toHaveLength(1);
  });

  it('SP-K2 SP-K3 at most maxTagsPerChat tags; at most META_CHANGES_PER_WINDOW changes per person', async () => {
    const [, alice, chatId] = await activeChat();
    await alice.next('chat_meta');
    for (let i = 0; i < LIMITS.maxTagsPerChat; i++) {
      alice.send({ type: 'tag_add', chatId, tag: `t${i}` });
    }
    await metaWhere(alice, (m) => m.tags.length === LIMITS.maxTagsPerChat);
    alice.send({ type: 'tag_add', chatId, tag: 'one-more' });
    expect(await alice.nextError()).toMatchObject({ code: 'too_many_tags', ref: 'tag_add' });
    // The rest of the window's budget, then the refusal.
    const left = META_CHANGES_PER_WINDOW - LIMITS.maxTagsPerChat - 1;
    for (let i = 0; i < left; i++) alice.send({ type: 'label_set', chatId, label: `label ${i}` });
    await metaWhere(alice, (m) => m.label === `label ${left - 1}`);
    alice.send({ type: 'label_set', chatId, label: 'one too many' });
    expect(await alice.nextError()).toMatchObject({ code: 'rate_limited', ref: 'label_set' });
    // Another person's budget is their own.
    const molly = await staff('molly');
    molly.send({ type: 'tag_remove', chatId, tag: 't0' });
    expect(await molly.next('chat_meta')).toMatchObject({ label: `label ${left - 1}` });
  });

  it('SP-K5 SP-K6 tags and label survive a restart; the statistics count them after the chat ends', async () => {
    const [, alice, chatId] = await activeChat();
    await alice.next('chat_meta');
    alice.send({ type: 'tag_add', chatId, tag: 'print' });
    alice.send({ type: 'tag_add', chatId, tag: 'crash' });
    alice.send({ type: 'label_set', chatId, label: 'printer on fire' });
    await metaWhere(alice, (m) => m.label === 'printer on fire');

    const dataDir = service.dataDir;
    await service.close({ keepData: true });
    await begin(dataDir);
    // SP-S2: alice re-announces the chat and gets it back with its metadata.
    const back = await staff('alice', false, [chatId]);
    await back.next('chat');
    expect(await back.next('chat_meta')).toEqual({
      type: 'chat_meta',
      chatId,
      tags: ['print', 'crash'],
      label: 'printer on fire',
    });
    const molly = await staff('molly');
    molly.send({ type: 'board_subscribe' });
    await molly.next('board');
    expect(boardRow(molly, chatId)).toMatchObject({ tags: ['print', 'crash'] });

    back.send({ type: 'tag_remove', chatId, tag: 'print' });
    await metaWhere(back, (m) => m.tags.join() === 'crash');
    back.send({ type: 'end', chatId });
    await back.next('ended');

    const today = isoDay(Date.now());
    const path = `/api/admin/tag-stats?from=${today}&to=${today}&bucket=day`;
    const stats = await call(service, tokens.get('molly')!, 'GET', path);
    expect(stats).toMatchObject({
      status: 200,
      body: { periods: [today], tags: [{ tag: 'crash', total: 1, counts: [1] }] },
    });
    const csv = await fetch(`${service.baseUrl}${path}&format=csv`, {
      headers: { authorization: `Bearer ${tokens.get('molly')!}` },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    expect(await csv.text()).toBe(`day,crash\r\n${today},1\r\ntotal,1\r\n`);
    // SP-K7: every signed-in staff member sees the team's tags.
    expect(await call(service, tokens.get('tina')!, 'GET', '/api/admin/tags')).toMatchObject({
      status: 200,
      body: { tags: [{ tag: 'crash', chats: 1 }] },
    });
  });

  it('SP-K6 statistics are for monitors and admins, with a strict query', async () => {
    const q = '/api/admin/tag-stats?from=2026-01-01&to=2026-01-31&bucket=week';
    expect(await call(service, null, 'GET', q)).toMatchObject({ status: 401 });
    for (const nickname of ['alice', 'tina']) {
      expect(await call(service, tokens.get(nickname)!, 'GET', q)).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden' } },
      });
    }
    const molly = tokens.get('molly')!;
    expect(await call(service, molly, 'GET', q)).toMatchObject({
      status: 200,
      body: { periods: ['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26'] },
    });
    for (const bad of [
      'from=2026-01-31&to=2026-01-01&bucket=day',
      'from=2026-02-30&to=2026-03-01&bucket=day',
      'from=2026-01-01&to=2026-01-02&bucket=year',
      'from=2026-01-01&to=2026-01-02&bucket=day&extra=1',
      'from=2020-01-01&to=2026-01-01&bucket=day',
      'to=2026-01-02&bucket=day',
    ]) {
      expect(await call(service, molly, 'GET', `/api/admin/tag-stats?${bad}`), bad).toMatchObject({
        status: 400,
        body: { error: { code: 'bad_frame' } },
      });
    }
  });
});
