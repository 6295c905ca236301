/**
 * A chat's rejections, departed participants and invitations, and a staff member's watched
 * chats, start as one shared empty instance (signal/core/state.ts): a write gives the
 * holder a collection of its own, an emptied one is handed back, and nothing written to
 * one holder shows in another.
 */
import { describe, expect, it } from 'vitest';
import {
  admitParticipant,
  emptyMap,
  emptySet,
  mapWith,
  mapWithout,
  newQueuedChat,
  rejectOffer,
  retireParticipant,
  setWith,
  setWithout,
  type ParticipantState,
  type QueuedChat,
} from '../../../signal/core/state.ts';

function chat(id: string): QueuedChat {
  return newQueuedChat(
    id,
    { visitorId: `v-${id}`, firstVisitAt: 1, firstLandingPage: 'https://site.test/' },
    '203.0.113.5',
    {
      name: 'Ann',
      email: null,
      department: 'general',
      question: 'Hello?',
      page: { url: 'https://site.test/', title: 'Site' },
      browser: { userAgent: 'test', language: 'en' },
      sessionStartedAt: 1,
      landingPage: 'https://site.test/',
    },
    1,
    new Map<string, ParticipantState>([
      [`v-${id}`, { id: `v-${id}`, role: 'visitor', name: 'Ann', clientIds: [] }],
    ]),
  );
}

describe('shared empty collections', () => {
  it('new chats share one empty set and map until a write gives one its own', () => {
    const a = chat('a');
    const b = chat('b');
    expect(a.rejectedBy).toBe(b.rejectedBy);
    expect(a.former).toBe(b.former);
    rejectOffer(a, 'h-1');
    expect([...a.rejectedBy]).toEqual(['h-1']);
    expect(b.rejectedBy.size).toBe(0);
    expect(emptySet<string>().size).toBe(0);
    expect(chat('c').rejectedBy.has('h-1')).toBe(false);
  });

  it('SP-P4 a participant who leaves is kept in former, of that chat only, and taken out on return', () => {
    const a = chat('a');
    const b = chat('b');
    admitParticipant(a, 'h-1', 'helper', 'Hal').clientIds.push(7);
    retireParticipant(a, 'h-1');
    expect(a.former.get('h-1')).toEqual({ id: 'h-1', role: 'helper', name: 'Hal', clientIds: [7] });
    expect(b.former.size).toBe(0);
    expect(emptyMap<string, ParticipantState>().size).toBe(0);
    expect(admitParticipant(a, 'h-1', 'helper', 'Hal').clientIds).toEqual([7]);
    expect(a.former).toBe(emptyMap());
  });

  it('a set or map emptied by its last removal is the shared one again; removing nothing keeps it', () => {
    const own = setWith(emptySet<string>(), 'x');
    expect(own).not.toBe(emptySet());
    expect(setWith(own, 'y')).toBe(own);
    expect(setWithout(own, 'z')).toBe(own);
    expect(setWithout(setWithout(own, 'x'), 'y')).toBe(emptySet());
    const map = mapWith(emptyMap<string, number>(), 'x', 1);
    expect(map).not.toBe(emptyMap());
    expect(mapWithout(map, 'z')).toBe(map);
    expect(mapWithout(map, 'x')).toBe(emptyMap());
    expect(setWithout(emptySet<string>(), 'x')).toBe(emptySet());
    expect(mapWithout(emptyMap<string, number>(), 'x')).toBe(emptyMap());
  });

  it('the shared instances refuse a write that bypasses setWith / mapWith', () => {
    expect(() => (emptySet<string>() as Set<string>).add('x')).toThrow(/never written/);
    expect(() => (emptyMap<string, number>() as Map<string, number>).set('x', 1)).toThrow(
      /never written/,
    );
    expect(emptySet<string>().size).toBe(0);
    expect(emptyMap<string, number>().size).toBe(0);
  });
});
