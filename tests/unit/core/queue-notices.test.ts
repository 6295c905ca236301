/**
 * Queue notices (SPEC.md SP-Q3, SP-Q7) on their own, through the narrow host they own
 * (QueueNoticeHost): coalescing into one walk, walked in steps, only changes told.
 */
import { describe, expect, it } from 'vitest';
import type { ServiceToVisitor } from '../../../protocol/index.ts';
import type { DeadlineKey } from '../../../signal/core/deadlines.ts';
import {
  QueueNotices,
  type QueueNoticeHost,
  type QueueView,
} from '../../../signal/core/queue-notices.ts';
import type { QueuedChat } from '../../../signal/core/state.ts';

function queuedChat(i: number): QueuedChat {
  // Only the fields the notices read; the rest of a chat does not concern them.
  return {
    chatId: `c${i}`,
    visitor: { visitorId: `v${i}` },
    details: { department: 'general' },
    told: null,
  } as unknown as QueuedChat;
}

function fakeHost(chats: QueuedChat[]) {
  const sent: { conn: number; message: ServiceToVisitor }[] = [];
  const scheduled: { at: number; key: DeadlineKey }[] = [];
  const queue: QueueView = {
    get size() {
      return chats.length;
    },
    rank: (chat) => chats.indexOf(chat),
    copyFrom(index, max, into) {
      const some = chats.slice(index, index + max);
      some.forEach((chat, i) => (into[i] = chat));
      return some.length;
    },
  };
  const host: QueueNoticeHost & { now: number; pace: number | null } = {
    now: 1000,
    pace: 30_000,
    config: { queueNoticeMs: 500, queueWalkStep: 2 },
    queue: (department) => (department === 'general' ? queue : undefined),
    departments: () => ['general'],
    visitorConn: (chat) => Number(chat.visitor.visitorId.slice(1)),
    paceOf() {
      return host.pace;
    },
    helpersOnline: () => 3,
    schedule: (at, key) => scheduled.push({ at, key }),
    send: (conn, message) => sent.push({ conn, message }),
  };
  return { host, sent, scheduled };
}

describe('queue notices through their host', () => {
  it('SP-Q3 a change marks the department once; one walk tells everyone, a step at a time', () => {
    const chats = [0, 1, 2, 3, 4].map(queuedChat);
    const { host, sent, scheduled } = fakeHost(chats);
    const notices = new QueueNotices(host);

    notices.markStale('general');
    notices.markStale('general');
    expect(scheduled).toEqual([{ at: 1500, key: { kind: 'positions' } }]);
    expect(sent).toEqual([]);

    host.now = 1500;
    notices.flush(1500);
    expect(sent.map((s) => s.conn)).toEqual([0, 1]);
    expect(scheduled.at(-1)).toEqual({ at: 1501, key: { kind: 'positions_step' } });

    host.now = 1501;
    notices.step(1501);
    host.now = 1502;
    notices.step(1502);
    expect(sent.map((s) => s.conn)).toEqual([0, 1, 2, 3, 4]);
    // The walk is over: no further step is scheduled.
    expect(scheduled).toHaveLength(3);
    expect(sent[4]!.message).toEqual({
      type: 'queued',
      chatId: 'c4',
      department: 'general',
      position: 5,
      estimatedWaitMs: 150_000,
      helpersOnline: 3,
    });
  });

  it('SP-Q3 SP-Q7 only a change is told again: same position and wait, nothing; a new pace, everyone', () => {
    const chats = [0, 1].map(queuedChat);
    const { host, sent } = fakeHost(chats);
    const notices = new QueueNotices(host);
    notices.tell(chats[0]!);
    notices.tell(chats[0]!);
    expect(sent).toHaveLength(1);

    host.pace = 10_000;
    notices.tell(chats[0]!);
    expect(sent.at(-1)!.message).toMatchObject({ position: 1, estimatedWaitMs: 10_000 });

    // Forgotten (its visitor reconnected): told again even though nothing changed.
    notices.forget(chats[0]!);
    notices.tell(chats[0]!);
    expect(sent).toHaveLength(3);
  });

  it('an empty department is never walked', () => {
    const { host, scheduled } = fakeHost([]);
    new QueueNotices(host).markAllStale();
    expect(scheduled).toEqual([]);
  });
});
