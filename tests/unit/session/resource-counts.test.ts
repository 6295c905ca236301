import { describe, expect, it } from 'vitest';
import {
  countResource,
  exposeResourceCounts,
  resourceCounts,
  setResourceCount,
} from '../../../app/lib/session/resource-counts.ts';

describe('window.peerdeskDebug: what the page holds (issue 11)', () => {
  it('reads the live counts and cannot change them', () => {
    const page: Record<string, unknown> = {};
    exposeResourceCounts(page);
    const debug = page['peerdeskDebug'] as { sessions: number; heldChats: number };
    const before = debug.sessions;
    countResource('sessions', 1);
    expect(debug.sessions).toBe(before + 1);
    countResource('sessions', -1);
    setResourceCount('heldChats', 3);
    expect(debug.heldChats).toBe(3);
    expect(resourceCounts().heldChats).toBe(3);
    expect(() => {
      (debug as { sessions: number }).sessions = 99;
    }).toThrow();
    setResourceCount('heldChats', 0);
  });
});
