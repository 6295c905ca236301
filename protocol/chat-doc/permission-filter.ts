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
 *
 * Two readers, one verdict (benchmark S6: the receiver decodes the update again to
 * apply it, so decoding it twice into Yjs structs cost a transcript load as much as the
 * apply). `scanAccepts` (update-scan.ts) reads the bytes in place, and vouches only for
 * an update that Yjs decodes without error and that every rule accepts. Whatever it
 * cannot vouch for (a refusal, a rare content kind, bytes it does not follow) goes to
 * `filterDecodedUpdate`, which decodes with Yjs and names the refusal. A property test
 * (tests/unit/chat-doc/update-scan.property.test.ts) holds the two to the same verdicts.
 */
import * as Y from 'yjs';
import { LIMITS } from '../limits.ts';
import { refuse, type Verdict } from './chat-errors.ts';
import { ROOT } from './chat-schema.ts';
import type { BoundParticipant, ParticipantBindings } from './participant-bindings.ts';
import { scanAccepts } from './update-scan.ts';
import type { UpdateSource } from './update-source.ts';
import {
  checkSeqBound,
  checkVisitorItem,
  isMessageEntry,
  type VisitorItemView,
} from './visitor-write-rules.ts';

export type { UpdateSource } from './update-source.ts';

/** Decides whether `update` may be applied. Never throws, whatever the bytes. */
export function filterUpdate(update: Uint8Array, source: UpdateSource): Verdict {
  const early = refuseBeforeDecoding(update, source);
  if (early !== null) return early;
  if (scanAccepts(update, source)) return { ok: true };
  return judgeDecoded(update, source);
}

/**
 * The same verdict from Yjs's own decode alone, without the scan: what every update
 * the scan does not vouch for gets, and the oracle the scan is tested against.
 */
export function filterDecodedUpdate(update: Uint8Array, source: UpdateSource): Verdict {
  return refuseBeforeDecoding(update, source) ?? judgeDecoded(update, source);
}

/** What is refused whatever the bytes say: no sender, a monitor, too many bytes. */
function refuseBeforeDecoding(update: Uint8Array, source: UpdateSource): Verdict | null {
  const { sender } = source;
  if (sender === undefined) return refuse('unknown_sender', 'no participant at this link');
  if (sender.role === 'monitor') return refuse('read_only', `monitor ${sender.id}`);
  const max =
    sender.role === 'visitor' && source.message === 'update'
      ? LIMITS.maxChatUpdateBytes
      : LIMITS.maxChatDocBytes;
  if (update.byteLength > max) {
    return refuse('update_too_large', `${update.byteLength} bytes, at most ${max}`);
  }
  return null;
}

function judgeDecoded(update: Uint8Array, source: UpdateSource): Verdict {
  const { bindings } = source;
  const sender = source.sender as BoundParticipant;
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
    if (source.seqBound !== undefined) return seqsWithin(decoded.structs, source.seqBound);
  }
  return { ok: true };
}

/** CH-S8 (visitor-write-rules.ts) on decoded structs. */
function seqsWithin(
  structs: ReadonlyArray<Y.Item | Y.GC | Y.Skip>,
  bound: { highest: number; deleted: number },
): Verdict {
  const seqs: number[] = [];
  let carried = 0;
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    const content = struct.content;
    if (content instanceof Y.ContentDeleted && (struct.parent as unknown) === ROOT.messages) {
      carried += content.len;
    }
    if (!(content instanceof Y.ContentAny)) continue;
    for (const value of content.arr) if (isMessageEntry(value)) seqs.push(value.seq);
  }
  return checkSeqBound(seqs, carried, bound);
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
    return checkVisitorItem(viewOf(struct), author);
  }
  return { ok: true };
}

function viewOf(item: Y.Item): VisitorItemView {
  const content = item.content;
  const any = content instanceof Y.ContentAny;
  return {
    id: item.id,
    origin: item.origin,
    rightOrigin: item.rightOrigin,
    // Decoded parents are root names (strings) or ids of nested types.
    parent: item.parent as unknown as string | Y.ID | null,
    parentSub: item.parentSub,
    content: any
      ? 'any'
      : content instanceof Y.ContentDeleted
        ? 'deleted'
        : content.constructor.name,
    values: any ? content.arr : [],
  };
}
