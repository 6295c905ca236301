/**
 * What a session remembers about its chat besides the document, kept next to it
 * (chat-store.ts): the client ids this browser wrote with that the service had
 * bound (so a reload can reuse one and count its restored messages as its own), the
 * last participant list (so the transcript shows names at once, and writing can
 * resume before the service answers), and the names of everyone who ever wrote
 * (helpers who left are no longer in the list). Decoded like any stored bytes: a
 * bad or old value is ignored, never trusted.
 */
import * as v from 'valibot';
import { ChatRole, ClientId, Name, ParticipantId } from '../../../protocol/index.ts';

export const KnownAuthor = v.strictObject({ id: ParticipantId, role: ChatRole, name: Name });
export type KnownAuthor = v.InferOutput<typeof KnownAuthor>;

const NOTES_VERSION = 1;
const MAX_CLIENT_IDS = 64;
const MAX_AUTHORS = 256;

export const SessionNotes = v.strictObject({
  v: v.literal(NOTES_VERSION),
  /** Client ids the service confirmed bound to this participant, oldest first. */
  clientIds: v.pipe(v.array(ClientId), v.maxLength(MAX_CLIENT_IDS)),
  participants: v.pipe(
    v.array(
      v.strictObject({
        id: ParticipantId,
        role: ChatRole,
        name: Name,
        clientIds: v.pipe(v.array(ClientId), v.maxLength(64)),
        online: v.boolean(),
      }),
    ),
    v.maxLength(64),
  ),
  /** Client id → who it was bound to, for every binding ever announced. */
  authors: v.pipe(v.array(v.tuple([ClientId, KnownAuthor])), v.maxLength(MAX_AUTHORS)),
});
export type SessionNotes = v.InferOutput<typeof SessionNotes>;

export const EMPTY_NOTES: SessionNotes = {
  v: NOTES_VERSION,
  clientIds: [],
  participants: [],
  authors: [],
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
    authors: notes.authors.slice(-MAX_AUTHORS),
  });
}
