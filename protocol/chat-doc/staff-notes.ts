/**
 * Staff notes (FEATURES.md F30, protocol/CHAT.md CH-N1–CH-N8): a private note thread per
 * chat for its helpers and monitors, in a second Y.Doc that only staff hold. It
 * never travels in the chat document and never over a link to the visitor.
 *
 * One root map, `notes`: note id → `{body, at, seq}`. A note id has the writer's
 * client id as its prefix, like a message id (CHAT.md CH-S3), so each writer has its
 * own key space. There is no author field: the author is whoever the service bound
 * the struct's client id to (SPEC.md SP-P2), which is the chat document's client id
 * of the same participant (CHAT.md CH-N3).
 */
import * as v from 'valibot';
import * as Y from 'yjs';
import { LIMITS } from '../limits.ts';
import { Timestamp } from '../primitives.ts';
import type { RandomBytes } from './chat-document.ts';
import { refuse, type Refusal, type Verdict } from './chat-errors.ts';
import { messageIdClient, type MessageId } from './chat-schema.ts';
import type { BoundParticipant, ParticipantBindings } from './participant-bindings.ts';

export const NOTES_ROOT = 'notes';

export const NoteEntry = v.strictObject({
  body: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxChatMessageLength)),
  at: Timestamp,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)),
});
export type NoteEntry = v.InferOutput<typeof NoteEntry>;

export type StaffNote = NoteEntry & { id: string; authorClient: number };

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const defaultRandom: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

export class StaffNotesDocument {
  readonly #notes: Y.Map<unknown>;

  constructor(
    readonly doc: Y.Doc,
    private readonly random: RandomBytes = defaultRandom,
  ) {
    this.#notes = doc.getMap(NOTES_ROOT);
  }

  /** CH-N4: a note under the writer's own key space, one more than the highest seq seen. */
  post(body: string, at: number): { ok: true; id: MessageId } | Refusal {
    const trimmed = body.trim();
    if (trimmed === '') return refuse('invalid_entry', 'an empty note');
    if (trimmed.length > LIMITS.maxChatMessageLength) {
      return refuse('message_too_long', `${trimmed.length} characters`);
    }
    let highest = 0;
    for (const raw of this.#notes.values()) {
      if (v.is(NoteEntry, raw)) highest = Math.max(highest, raw.seq);
    }
    const entry: NoteEntry = { body: trimmed, at, seq: highest + 1 };
    let id = this.#newId();
    while (this.#notes.has(id)) id = this.#newId();
    this.#notes.set(id, entry);
    return { ok: true, id };
  }

  /** Valid notes in order (seq, then id); each names the client id that wrote it. */
  notes(): StaffNote[] {
    const out: StaffNote[] = [];
    for (const [id, raw] of this.#notes.entries()) {
      const parsed = v.safeParse(NoteEntry, raw);
      const item = this.#notes._map.get(id);
      if (!parsed.success || item === undefined) continue;
      out.push({ ...parsed.output, id, authorClient: item.id.client });
    }
    return out.sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #newId(): string {
    let random = '';
    for (const b of this.random(16)) random += ID_ALPHABET[b & 63];
    return `${this.doc.clientID.toString(36)}.${random}`;
  }
}

/**
 * CH-N5–CH-N7: whether a notes update from `sender` may be applied. Never throws.
 * From the visitor nothing (the visitor holds no notes document). From a helper
 * anyone's notes except structs of the visitor's client ids (a helper relays the
 * notes of the other staff, CH-A9). From a monitor only its own notes: every struct
 * under a client id bound to it, a plain note at a key of its own prefix, deletes
 * of its own structs only — the rules a visitor's chat messages follow (CH-A5–CH-A7).
 */
export function filterNotesUpdate(
  update: Uint8Array,
  sender: BoundParticipant | undefined,
  bindings: ParticipantBindings,
): Verdict {
  if (sender === undefined) return refuse('unknown_sender', 'no participant at this link');
  if (sender.role === 'visitor') return refuse('unknown_message', 'staff notes from the visitor');
  if (update.byteLength > LIMITS.maxChatDocBytes) {
    return refuse('update_too_large', `${update.byteLength} bytes`);
  }
  let decoded: { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: { clients: Map<number, unknown> } };
  try {
    decoded = Y.decodeUpdate(update);
  } catch (error) {
    return refuse('undecodable', error instanceof Error ? error.message : 'decode failed');
  }
  for (const struct of decoded.structs) {
    const client = struct.id.client;
    const author = bindings.author(client);
    if (author?.role === 'visitor') {
      return refuse('foreign_struct', `a staff note under the visitor's client ${client}`);
    }
    if (sender.role === 'monitor') {
      if (author?.id !== sender.id) {
        return refuse('foreign_struct', `monitor ${sender.id} sent a struct of client ${client}`);
      }
      if (struct instanceof Y.Item) {
        const verdict = checkOwnNote(struct, sender);
        if (!verdict.ok) return verdict;
      }
    }
  }
  if (sender.role === 'monitor') {
    for (const client of decoded.ds.clients.keys()) {
      if (!sender.clientIds.has(client)) {
        return refuse('foreign_delete', `deletes structs of client ${client}`);
      }
    }
  }
  return { ok: true };
}

function checkOwnNote(item: Y.Item, owner: BoundParticipant): Verdict {
  const where = `struct ${item.id.client}:${item.id.clock}`;
  const content = item.content;
  if (!(content instanceof Y.ContentAny) && !(content instanceof Y.ContentDeleted)) {
    return refuse('forbidden_content', `${where} carries ${content.constructor.name}`);
  }
  const values = content instanceof Y.ContentAny ? content.arr : [];
  if (!values.every((x) => v.is(NoteEntry, x))) {
    return refuse('invalid_entry', `${where} is not a valid note`);
  }
  if (item.origin !== null || item.rightOrigin !== null) {
    for (const neighbour of [item.origin, item.rightOrigin]) {
      if (neighbour !== null && !owner.clientIds.has(neighbour.client)) {
        return refuse('foreign_origin', `${where} follows ${neighbour.client}:${neighbour.clock}`);
      }
    }
    return { ok: true };
  }
  const parent: unknown = item.parent;
  const key = item.parentSub;
  if (parent === NOTES_ROOT && key !== null && messageIdClient(key) === item.id.client) {
    return { ok: true };
  }
  return refuse('forbidden_location', `${where} writes outside its own notes`);
}
