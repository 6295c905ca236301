/**
 * The permission filter (DESIGN.md section 5, protocol/CHAT.md CH-A1–CH-A10): every
 * receiver runs every incoming Yjs update through it before the update touches
 * the document. Yjs has no notion of authorship, so this is where B4 holds.
 *
 * It needs nothing from the receiver's document. Two facts of the Yjs update
 * format make that possible (yjs 13.6 src/utils/updates.js, DeleteSet.js):
 * - a delete set is keyed by the client id that *created* the deleted structs
 *   (readAndApplyDeleteSet looks each key up in `store.clients`), so "deletes
 *   only its own structs" is a check of the keys;
 * - a struct carries its parent and map key only when it has neither origin nor
 *   right origin; otherwise it inherits them from its origin (Item.integrate).
 *   A visitor's struct with an origin is therefore accepted only when that
 *   origin is the visitor's own, whose place was itself checked when it came in.
 * The chat schema (chat-schema.ts) keeps every entry one plain-value struct in a
 * root map, so the checks are exact without lookups or waiting for dependencies.
 */
import * as v from 'valibot';
import * as Y from 'yjs';
import { LIMITS } from '../limits.ts';
import { refuse, type Verdict } from './chat-errors.ts';
import {
  isPlainMessageEntry,
  MessageEntry,
  ReadEntry,
  ROOT,
  messageIdClient,
} from './chat-schema.ts';
import type { BoundParticipant, ParticipantBindings } from './participant-bindings.ts';

export type UpdateSource = {
  /** The participant at the other end of the link the bytes came in on. */
  readonly sender: BoundParticipant | undefined;
  readonly bindings: ParticipantBindings;
  /** `update`: one transaction, small. `step2`: a sync reply, up to a whole document. */
  readonly message: 'update' | 'step2';
  /**
   * CH-S8: the highest `seq` the receiver holds (its document, and the earlier history it
   * shows, CH-K6), and how many deleted messages its document holds. Given, a visitor's
   * messages may not run ahead of them (`seq_ahead`).
   */
  readonly seqBound?: { highest: number; deleted: number };
};

/** Decides whether `update` may be applied. Never throws, whatever the bytes. */
export function filterUpdate(update: Uint8Array, source: UpdateSource): Verdict {
  const { sender, bindings } = source;
  if (sender === undefined) return refuse('unknown_sender', 'no participant at this link');
  if (sender.role === 'monitor') return refuse('read_only', `monitor ${sender.id}`);
  const max =
    sender.role === 'visitor' && source.message === 'update'
      ? LIMITS.maxChatUpdateBytes
      : LIMITS.maxChatDocBytes;
  if (update.byteLength > max) {
    return refuse('update_too_large', `${update.byteLength} bytes, at most ${max}`);
  }
  let decoded: { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: { clients: Map<number, unknown> } };
  try {
    decoded = Y.decodeUpdate(update);
  } catch (error) {
    return refuse('undecodable', error instanceof Error ? error.message : 'decode failed');
  }
  for (const struct of decoded.structs) {
    const verdict = checkStruct(struct, sender, bindings);
    if (!verdict.ok) return verdict;
  }
  if (sender.role === 'visitor') {
    for (const client of decoded.ds.clients.keys()) {
      if (!sender.clientIds.has(client)) {
        return refuse('foreign_delete', `deletes structs of client ${client}`);
      }
    }
    if (source.seqBound !== undefined) return checkSeqBound(decoded.structs, source.seqBound);
  }
  return { ok: true };
}

/**
 * CH-S8: a visitor numbers its messages, so it could claim any `seq` and sort its words
 * after every later reply, or tie with them. Each message it sends may be at most one
 * above the highest the receiver holds, counting the lower ones of the same update
 * in order (a sync reply carries many). A deleted message leaves a gap in the numbers
 * that a late receiver cannot see, so each deleted message entry, held or carried,
 * allows one more. An honest visitor is never further ahead than that but for what is
 * still on its way, which the replica waits for (CH-C12).
 */
function checkSeqBound(
  structs: ReadonlyArray<Y.Item | Y.GC | Y.Skip>,
  bound: { highest: number; deleted: number },
): Verdict {
  const seqs: number[] = [];
  let deleted = bound.deleted;
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    const content = struct.content;
    if (content instanceof Y.ContentDeleted && (struct.parent as unknown) === ROOT.messages) {
      deleted += content.len;
    }
    if (!(content instanceof Y.ContentAny)) continue;
    for (const value of content.arr) if (isMessageEntry(value)) seqs.push(value.seq);
  }
  seqs.sort((a, b) => a - b);
  let allowed = bound.highest + 1 + deleted;
  for (const seq of seqs) {
    if (seq > allowed) return refuse('seq_ahead', `seq ${seq} where at most ${allowed}`);
    allowed = Math.max(allowed, seq + 1 + deleted);
  }
  return { ok: true };
}
function checkStruct(
  struct: Y.Item | Y.GC | Y.Skip,
  sender: BoundParticipant,
  bindings: ParticipantBindings,
): Verdict {
  const client = struct.id.client;
  const author = bindings.author(client);
  if (sender.role === 'visitor' && author?.id !== sender.id) {
    return refuse('foreign_struct', `visitor ${sender.id} sent a struct of client ${client}`);
  }
  // Helpers relay anyone's structs (a late joiner syncs from them), and may carry
  // those of clients no longer bound (a helper who left). Never a monitor's: no
  // honest peer ever accepted one.
  if (author?.role === 'monitor') {
    return refuse('foreign_struct', `struct of monitor ${author.id}'s client ${client}`);
  }
  // A visitor's structs obey the visitor rules whoever relays them, so one
  // helper's mistake cannot spread.
  if (author?.role === 'visitor' && struct instanceof Y.Item) {
    return checkVisitorItem(struct, author);
  }
  return { ok: true };
}

/** What a visitor may write: its own messages and its own read state (CHAT.md CH-A4–CH-A7). */
function checkVisitorItem(item: Y.Item, owner: BoundParticipant): Verdict {
  const where = `struct ${item.id.client}:${item.id.clock}`;
  const content = item.content;
  if (!(content instanceof Y.ContentAny) && !(content instanceof Y.ContentDeleted)) {
    return refuse('forbidden_content', `${where} carries ${content.constructor.name}`);
  }
  const values = content instanceof Y.ContentAny ? content.arr : [];
  if (item.origin !== null || item.rightOrigin !== null) {
    for (const neighbour of [item.origin, item.rightOrigin]) {
      if (neighbour !== null && !owner.clientIds.has(neighbour.client)) {
        return refuse('foreign_origin', `${where} follows ${neighbour.client}:${neighbour.clock}`);
      }
    }
    // Its place is its origin's, which is the visitor's own: a message or its read state.
    return values.every((x) => isVisitorMessage(x) || v.is(ReadEntry, x))
      ? { ok: true }
      : refuse('invalid_entry', `${where} is neither a message nor a read state`);
  }
  // Decoded parents are root names (strings) or ids of nested types.
  const parent: unknown = item.parent;
  const key = item.parentSub;
  if (parent === ROOT.messages && key !== null) {
    if (messageIdClient(key) !== item.id.client) {
      return refuse('forbidden_location', `${where} writes message key ${key.slice(0, 48)}`);
    }
    return values.every(isVisitorMessage)
      ? { ok: true }
      : refuse('invalid_entry', `${where} is not a valid visitor message`);
  }
  if (parent === ROOT.reads && key === owner.id) {
    return values.every((x) => v.is(ReadEntry, x))
      ? { ok: true }
      : refuse('invalid_entry', `${where} is not a valid read state`);
  }
  const place =
    typeof parent === 'string' ? `${parent.slice(0, 40)}[${key ?? ''}]` : 'a nested type';
  return refuse('forbidden_location', `${where} writes to ${place.slice(0, 120)}`);
}

/** Visitors write text, page views and attachments; `system` notes and signatures
 * (CH-V2) are staff's. */
function isVisitorMessage(value: unknown): boolean {
  return isMessageEntry(value) && value.kind !== 'system' && value.sig === undefined;
}

/** The schema's verdict, the common text line checked without it (benchmark S6). */
function isMessageEntry(value: unknown): value is MessageEntry {
  return isPlainMessageEntry(value) || v.is(MessageEntry, value);
}
