/**
 * The Contributors room against the real service on both transports, with real
 * WebSocket clients (SPEC.md SP-CR1–SP-CR9): join and members, delivery to everyone,
 * strict decoding of every room frame, who may send them, size and rate limits,
 * history paging, mentions and the queue-wait alert. Waits are for messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS, type StaffToService, type VisitorToService } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { startService, type Service, type StaffClient } from '../harness.ts';

const ROOM_FRAMES: { type: string; valid: Record<string, unknown> }[] = [
  { type: 'room_join', valid: { type: 'room_join', after: 0 } },
  { type: 'room_leave', valid: { type: 'room_leave' } },
  { type: 'room_send', valid: { type: 'room_send', id: 'm1', text: 'hello' } },
  { type: 'room_history', valid: { type: 'room_history', before: 5, limit: 10 } },
];

describe.each(['uws', 'ws'] as const)('Contributors room on %s', (transport) => {
  let service: Service;

  async function start(env: Record<string, string> = {}): Promise<void> {
    service = await startService({ transport, demo: true, env });
  }
  afterEach(async () => {
    await service.close();
  });

  async function staff(nickname: string): Promise<StaffClient> {
    const token = await service.signIn(nickname, DEMO_PASSWORD);
    const client = await service.staff();
    await client.hello(token, { available: false });
    return client;
  }

  async function joined(nickname: string): Promise<StaffClient> {
    const client = await staff(nickname);
    client.send({ type: 'room_join' });
    await client.next('room_joined');
    return client;
  }

  it('SP-CR1 SP-CR2 SP-CR7 join lists who is in; a message reaches everyone in the room, in seq order; leave', async () => {
    await start();
    const alice = await joined('alice');
    const bob = await staff('bob');
    bob.send({ type: 'room_join' });
    const welcome = await bob.next('room_joined');
    expect(welcome.members.map((m) => m.nickname).sort()).toEqual(['alice', 'bob']);
    expect(welcome.memberCount).toBe(2);
    expect((await alice.next('room_members')).members.map((m) => m.nickname).sort()).toEqual([
      'alice',
      'bob',
    ]);
    const molly = await staff('molly'); // signed in, not in the room

    alice.send({ type: 'room_send', id: 'a1', text: 'Anyone seen the print bug today?' });
    alice.send({ type: 'room_send', id: 'a2', text: 'It is back on 128.' });
    const [first, second] = [await bob.next('room_message'), await bob.next('room_message')];
    expect(first.message).toMatchObject({
      id: 'a1',
      kind: 'message',
      from: { nickname: 'alice', name: expect.any(String) as string },
      text: 'Anyone seen the print bug today?',
    });
    expect(second.message.seq).toBe(first.message.seq + 1);
    expect((await alice.next('room_message')).message.id).toBe('a1');

    bob.send({ type: 'room_leave' });
    await bob.next('room_left');
    expect((await alice.next('room_members')).members.map((m) => m.nickname)).toEqual(['alice']);
    alice.send({ type: 'room_send', id: 'a3', text: 'Bob left.' });
    await alice.next('room_message'); // a2's echo
    expect((await alice.next('room_message')).message.id).toBe('a3');
    bob.send({ type: 'room_send', id: 'b1', text: 'still here?' });
    expect((await bob.nextError()).code).toBe('room_not_joined');
    expect(bob.received.filter((m) => m.type === 'room_message')).toHaveLength(2);
    expect(molly.received.some((m) => m.type.startsWith('room_'))).toBe(false);
  });

  it('SP-CR3 SP-W1 every room frame is decoded strictly: extra fields, wrong types and unsafe numbers are refused', async () => {
    await start();
    const alice = await staff('alice');
    const bad: unknown[] = [
      ...ROOM_FRAMES.map((f) => ({ ...f.valid, extra: 1 })),
      { type: 'room_join', after: -1 },
      { type: 'room_join', after: 1.5 },
      { type: 'room_send', id: 'has space', text: 'x' },
      { type: 'room_send', id: 'm1', text: 7 },
      { type: 'room_send', id: 'm1' },
      { type: 'room_history', before: 0 },
      { type: 'room_history', before: 5, limit: LIMITS.maxRoomPage + 1 },
      { type: 'room_history', before: Number.MAX_SAFE_INTEGER + 2 },
    ];
    for (const frame of bad) {
      alice.sendRaw(JSON.stringify(frame));
      const error = await alice.nextError();
      expect(error.code, JSON.stringify(frame)).toBe('bad_frame');
      expect(error.ref).toBe((frame as { type: string }).type);
    }
    expect(alice.isOpen).toBe(true);
  });

  it.each(ROOM_FRAMES)('SP-CR3 a visitor may not send $type (unknown_type)', async ({ valid }) => {
    await start();
    const visitor = await service.visitor();
    await visitor.hello({ landingPage: 'https://help.example/' });
    visitor.sendRaw(JSON.stringify(valid));
    const error = await visitor.nextError();
    expect(error.code).toBe('unknown_type');
    expect(visitor.isOpen).toBe(true);
  });

  it.each(ROOM_FRAMES)(
    'SP-CR3 SP-H1 $type before hello is refused (hello_required)',
    async ({ valid }) => {
      await start();
      const anonymous = await service.staff();
      anonymous.sendRaw(JSON.stringify(valid));
      expect((await anonymous.nextError()).code).toBe('hello_required');
    },
  );

  it.each(['trainee', 'helper', 'monitor', 'admin'] as const)(
    'SP-CR3 a %s may use the room',
    async (role) => {
      await start();
      const nickname = { trainee: 'tina', helper: 'alice', monitor: 'molly', admin: 'admin' }[role];
      const client =
        role === 'admin'
          ? await (async () => {
              const c = await service.staff();
              await c.hello(await service.signIn('admin', 'admin-password-1'));
              return c;
            })()
          : await staff(nickname);
      client.send({ type: 'room_join' });
      await client.next('room_joined');
      client.send({ type: 'room_send', id: 'r1', text: `hello from ${role}` });
      expect((await client.next('room_message')).message.from?.nickname).toBe(nickname);
    },
  );

  it('SP-CR8 size: an empty or over-long message gets its own code and is not stored; the frame limit still closes', async () => {
    await start();
    const alice = await joined('alice');
    alice.send({ type: 'room_send', id: 'e1', text: '   ' });
    expect((await alice.nextError()).code).toBe('room_message_empty');
    alice.send({
      type: 'room_send',
      id: 'e2',
      text: 'x'.repeat(LIMITS.maxRoomMessageLength + 1),
    });
    const tooLong = await alice.nextError();
    expect(tooLong).toMatchObject({ code: 'room_message_too_long', ref: 'room_send' });
    alice.send({ type: 'room_send', id: 'e3', text: 'x'.repeat(LIMITS.maxRoomMessageLength) });
    expect((await alice.next('room_message')).message.id).toBe('e3');
    alice.send({ type: 'room_history', before: 1000 });
    const page = await alice.next('room_messages');
    expect(page.messages.map((m) => m.id)).toEqual(['e3']);
    alice.sendRaw(
      JSON.stringify({ type: 'room_send', id: 'e4', text: 'y'.repeat(LIMITS.maxFrameBytes) }),
    );
    await alice.closedWithin();
  });

  it('SP-CR8 rate: past the per-account budget room_rate_limited, nothing stored, the socket stays', async () => {
    await start({ ROOM_MESSAGES_PER_MINUTE: '8' }); // a burst of 2
    const alice = await joined('alice');
    const bob = await joined('bob');
    for (const id of ['r1', 'r2', 'r3']) alice.send({ type: 'room_send', id, text: id });
    expect((await alice.nextError()).code).toBe('room_rate_limited');
    // The same account on a second socket shares the budget.
    bob.send({ type: 'room_send', id: 'b1', text: 'mine is fine' });
    expect((await bob.next('room_message')).message.id).toBe('r1');
    expect((await bob.next('room_message')).message.id).toBe('r2');
    expect((await bob.next('room_message')).message.id).toBe('b1');
    expect(alice.isOpen).toBe(true);
  });

  it('SP-CR4 history pages back without gaps or repeats', async () => {
    await start({
      ROOM_MESSAGES_PER_MINUTE: '6000',
      WS_MESSAGES_PER_SECOND: '1000',
      WS_MESSAGE_BURST: '1000',
    });
    const alice = await joined('alice');
    for (let i = 1; i <= 70; i += 1) {
      alice.send({ type: 'room_send', id: `h${i}`, text: `message ${i}` });
      await alice.next('room_message');
    }
    const bob = await staff('bob');
    bob.send({ type: 'room_join' });
    const first = await bob.next('room_joined');
    expect(first.messages).toHaveLength(50);
    expect(first.older).toBe(true);
    const seen = first.messages.map((m) => m.text);
    let before = first.messages[0]!.seq;
    for (;;) {
      bob.send({ type: 'room_history', before, limit: 15 });
      const page = await bob.next('room_messages');
      expect(page.history).toBe(true);
      seen.unshift(...page.messages.map((m) => m.text));
      if (!page.older) break;
      before = page.messages[0]!.seq;
    }
    expect(seen).toEqual(Array.from({ length: 70 }, (_, i) => `message ${i + 1}`));
  });

  it('SP-CR6 a resend under the same id is stored once and echoed only to its sender; a rejoin catches up', async () => {
    await start();
    const alice = await joined('alice');
    const bob = await joined('bob');
    await alice.next('room_members');
    alice.send({ type: 'room_send', id: 'before', text: 'an earlier one' });
    await bob.next('room_message');
    await alice.next('room_message');
    alice.send({ type: 'room_send', id: 'same', text: 'once' });
    const stored = (await bob.next('room_message')).message;
    await alice.next('room_message');
    alice.send({ type: 'room_send', id: 'same', text: 'once' });
    expect((await alice.next('room_message')).message).toEqual(stored);
    bob.send({ type: 'room_send', id: 'after', text: 'next' });
    // Bob's next is his own message: the resend did not reach him.
    expect((await bob.next('room_message')).message.id).toBe('after');

    const late = await staff('bob');
    late.send({ type: 'room_join', after: stored.seq - 1 });
    const caught = await late.next('room_joined');
    expect(caught.reset).toBe(false);
    expect(caught.messages.map((m) => m.id)).toEqual(['same', 'after']);
  });

  it('SP-CR5 @nickname mentions name existing accounts, in their spelling, and not emails', async () => {
    await start();
    const alice = await joined('alice');
    alice.send({
      type: 'room_send',
      id: 'm1',
      text: '@BOB can you take this? thanks @molly. (mail a@tina.org, @nobody)',
    });
    const { message } = await alice.next('room_message');
    expect(message.mentions.sort()).toEqual(['bob', 'molly']);
  });

  it('SP-CR9 a visitor waiting past QUEUE_WAIT_ALERT_MS is announced once in the room', async () => {
    await start({ QUEUE_WAIT_ALERT_MS: '300' });
    const bob = await joined('bob');
    const visitor = await service.visitor();
    await visitor.hello({ landingPage: 'https://help.example/' });
    const request: VisitorToService = {
      type: 'request',
      name: 'Petra @alice',
      department: 'general',
      question: 'Firefox will not start',
      page: { url: 'https://help.example/', title: 'Help' },
      browser: { userAgent: 'Mozilla/5.0 Test', language: 'en' },
      sessionStartedAt: Date.now(),
      landingPage: 'https://help.example/',
    };
    visitor.send(request);
    const alert = (await bob.next('room_message')).message;
    expect(alert).toMatchObject({ kind: 'alert', from: null, mentions: [] });
    expect(alert.text).toMatch(/Petra ＠alice.*waited.*in the queue/);
    // Stored like any message: a newcomer sees it.
    const later = await joined('molly');
    expect(
      later.received.some(
        (m) => m.type === 'room_joined' && m.messages.some((e) => e.id === alert.id),
      ),
    ).toBe(true);
    // Other parts of the service post through room.postAlert (F25), with a link and
    // the helpers to notify.
    service.server.room.postAlert({
      text: 'Petra replied to her follow-up.',
      link: '/console/followups/f1',
      mentions: ['Alice', 'nobody'],
    });
    const posted = (await bob.next('room_message')).message;
    expect(posted).toMatchObject({
      kind: 'alert',
      link: '/console/followups/f1',
      mentions: ['alice'],
    });
    // Once per wait: the next message in the room is Bob's own, not a second alert.
    bob.send({ type: 'room_send', id: 'probe', text: 'probe' } satisfies StaffToService);
    expect((await bob.next('room_message')).message.id).toBe('probe');
  });
});
