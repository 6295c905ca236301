/**
 * Who keeps a link to whom in a chat, and which side of a link starts it: pure
 * rules over participants, used by link-manager.ts.
 *
 * The mesh is visitor↔helpers, helper↔helper and monitor↔helpers. Never
 * visitor↔monitor: the relay refuses it (SPEC.md SP-R1, SP-M2), and the visitor is not
 * even told monitors exist. Not monitor↔monitor either: both are read-only, so
 * they have nothing to give each other; each syncs from the helpers.
 */
import type { ChatRole } from '../../../protocol/index.ts';

export function shouldLink(self: ChatRole, peer: ChatRole): boolean {
  if (self === 'helper' || peer === 'helper') return true;
  return false;
}

/** Exactly one side of a pair initiates (sends the offer): the lower participant id,
 * compared as strings, so both sides decide the same without talking. */
export function initiates(selfId: string, peerId: string): boolean {
  return selfId < peerId;
}
