/**
 * Chats to and from their stored records (signal/core/chat-records.ts, SPEC.md SP-B1 SP-P4):
 * what a restart restores is what was stored, departed participants included.
 */
import { describe, expect, it } from 'vitest';
import { fromRecord, toRecord } from '../../../signal/core/chat-records.ts';
import type { OpenChatRecord } from '../../../signal/core/records.ts';
import { setWith } from '../../../signal/core/state.ts';

const base: Omit<OpenChatRecord, 'status' | 'startedAt' | 'participants'> = {
  chatId: 'chat-1',
  visitor: { visitorId: 'v-1', firstVisitAt: 10, firstLandingPage: 'https://site.test/' },
  ip: '203.0.113.5',
  details: {
    name: 'Ann',
    email: 'ann@example.test',
    department: 'general',
    question: 'Firefox will not start',
    page: { url: 'https://site.test/help', title: 'Help', at: 20 },
    browser: { userAgent: 'UA', language: 'en', platform: 'Linux' },
    sessionStartedAt: 15,
    landingPage: 'https://site.test/',
  } as OpenChatRecord['details'],
  enqueuedAt: 30,
  returned: true,
  rejectedBy: ['h-bob'],
};

describe('chat records', () => {
  it('B1 an active chat with a departed helper comes back as it was stored', () => {
    const record: OpenChatRecord = {
      ...base,
      status: 'active',
      startedAt: 40,
      participants: [
        { id: 'v-1', role: 'visitor', name: 'Ann', clientIds: [11] },
        {
          id: 'h-alice',
          role: 'helper',
          name: 'Alice',
          clientIds: [21, 22],
          keys: [{ clientId: 21, alg: 'Ed25519', key: 'a2V5' }],
        },
        // SP-P4: a helper who left keeps her client ids bound to her through a restart.
        { id: 'h-carol', role: 'helper', name: 'Carol', clientIds: [31], left: true },
      ],
    };
    const chat = fromRecord(record);
    expect(chat.status).toBe('active');
    expect([...chat.participants.keys()]).toEqual(['v-1', 'h-alice']);
    expect([...chat.former.keys()]).toEqual(['h-carol']);
    expect(chat.rejectedBy.has('h-bob')).toBe(true);
    expect(toRecord(chat)).toEqual(record);
  });

  it('B1 a queued chat comes back without an offer; the record holds no offer either', () => {
    const record: OpenChatRecord = {
      ...base,
      status: 'queued',
      startedAt: null,
      participants: [{ id: 'v-1', role: 'visitor', name: 'Ann', clientIds: [11] }],
    };
    const chat = fromRecord(record);
    expect(chat).toMatchObject({ status: 'queued', offer: null });
    expect(toRecord(chat)).toEqual(record);
  });

  it('the record is a copy: changing the chat afterwards leaves it as stored', () => {
    const record: OpenChatRecord = {
      ...base,
      status: 'active',
      startedAt: 40,
      participants: [{ id: 'h-alice', role: 'helper', name: 'Alice', clientIds: [21] }],
    };
    const chat = fromRecord(record);
    const stored = toRecord(chat);
    chat.participants.get('h-alice')!.clientIds.push(99);
    chat.rejectedBy = setWith(chat.rejectedBy, 'h-dan');
    expect(stored.participants[0]!.clientIds).toEqual([21]);
    expect(stored.rejectedBy).toEqual(['h-bob']);
  });
});
