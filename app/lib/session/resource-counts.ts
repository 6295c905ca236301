/**
 * How many chat sessions, Y.Docs and stores this page holds right now, so a test
 * (or a person in the devtools) can check that ended chats let go of them: a
 * helper works a whole shift in one tab (issue 11). BrowserParticipant counts;
 * `window.peerdeskDebug` reads, and cannot change anything:
 *
 *   window.peerdeskDebug.sessions   // open ChatSessions
 *   window.peerdeskDebug.docs       // Y.Docs not yet destroyed (chat and staff notes)
 *   window.peerdeskDebug.stores     // IndexedDB (or memory) stores not yet closed
 *   window.peerdeskDebug.heldChats  // chats the next hello re-announces
 *   window.peerdeskDebug.linkTrace  // the links' last decisions (link-trace.ts)
 */
import { linkTrace } from '../peer/link-trace.ts';

export type ResourceCounts = {
  sessions: number;
  docs: number;
  stores: number;
  heldChats: number;
};

const counts: ResourceCounts = { sessions: 0, docs: 0, stores: 0, heldChats: 0 };

export function countResource(kind: keyof ResourceCounts, delta: 1 | -1): void {
  counts[kind] += delta;
}

export function setResourceCount(kind: keyof ResourceCounts, value: number): void {
  counts[kind] = value;
}

export function resourceCounts(): Readonly<ResourceCounts> {
  return { ...counts };
}

/** Installs the read-only `peerdeskDebug` object once per page. */
export function exposeResourceCounts(target: object): void {
  if ('peerdeskDebug' in target) return;
  const view = Object.freeze({
    get sessions() {
      return counts.sessions;
    },
    get docs() {
      return counts.docs;
    },
    get stores() {
      return counts.stores;
    },
    get heldChats() {
      return counts.heldChats;
    },
    get linkTrace() {
      return linkTrace();
    },
  });
  Object.defineProperty(target, 'peerdeskDebug', { value: view, enumerable: false });
}
