/**
 * What a session remembers about its chat besides the document, kept next to it
 * (chat-store.ts): the client ids this browser wrote with that the service had
 * bound (so a reload can reuse one and resend its restored messages), and the last
 * participant list the service sent, former participants included (so the
 * transcript shows names at once, and writing can resume before the service
 * answers). Authorship is never this browser's own memory: who wrote a line, and
 * whether it is "mine", comes from that list of the service's (SPEC.md SP-P4), and the
 * service's next list replaces it. Decoded like any stored bytes: a bad or old
 * value is ignored, never trusted.
 */
import * as v from 'valibot';
import {
  ChatRole,
  ClientId,
  FormerParticipant,
  Name,
  Participant,
  ParticipantId,
} from '../../../protocol/index.ts';

export const KnownAuthor = v.strictObject({ id: ParticipantId, role: ChatRole, name: Name });
export type KnownAuthor = v.InferOutput<typeof KnownAuthor>;

const NOTES_VERSION = 2;
const MAX_CLIENT_IDS = 64;

export const SessionNotes = v.strictObject({
  v: v.literal(NOTES_VERSION),
  /** Client ids the service confirmed bound to this participant, oldest first. */
  clientIds: v.pipe(v.array(ClientId), v.maxLength(MAX_CLIENT_IDS)),
  /** As the service listed them, signing keys included (SPEC.md SP-P6). */
  participants: v.pipe(v.array(Participant), v.maxLength(64)),
  /** Who had left the chat in that list, with the client ids that stay theirs (SP-P4). */
  former: v.pipe(v.array(FormerParticipant), v.maxLength(64)),
});
export type SessionNotes = v.InferOutput<typeof SessionNotes>;

export const EMPTY_NOTES: SessionNotes = {
  v: NOTES_VERSION,
  clientIds: [],
  participants: [],
  former: [],
};

export function decodeNotes(stored: unknown): SessionNotes {
  if (typeof stored !== 'string') return EMPTY_NOTES;
  let raw: unknown;
  try {
    raw = JSON.parse(stored);
  } catch {
    return EMPTY_NOTES;
  }
  const parsed = v.safeParse(SessionNotes, raw);
  return parsed.success ? parsed.output : EMPTY_NOTES;
}

export function encodeNotes(notes: SessionNotes): string {
  return JSON.stringify({
    ...notes,
    clientIds: notes.clientIds.slice(-MAX_CLIENT_IDS),
  });
}
