/**
 * What a visitor may write (protocol/CHAT.md CH-A4–CH-A7, CH-S8), judged on one struct
 * at a time. Both readers of an update use these rules: the permission filter's Yjs
 * decode (permission-filter.ts) and the byte scan that spares it (update-scan.ts), so
 * the two cannot drift apart on what is allowed.
 */
import * as v from 'valibot';
import { refuse, type Verdict } from './chat-errors.ts';
import {
  isPlainMessageEntry,
  MessageEntry,
  ReadEntry,
  ROOT,
  messageIdClient,
} from './chat-schema.ts';
import type { BoundParticipant } from './participant-bindings.ts';

export type StructId = { readonly client: number; readonly clock: number };

/** One Yjs Item of a visitor's client, as decoded (Y.Item) or read from the bytes. */
export type VisitorItemView = {
  readonly id: StructId;
  readonly origin: StructId | null;
  readonly rightOrigin: StructId | null;
  /** A root name (string) or the id of a nested type; null when it has an origin. */
  readonly parent: string | StructId | null;
  readonly parentSub: string | null;
  /** `any` and `deleted` are the only contents a visitor may write; else its class name. */
  readonly content: 'any' | 'deleted' | string;
  /** The values of an `any` content, else empty. */
  readonly values: readonly unknown[];
};

/** What a visitor may write: its own messages and its own read state (CHAT.md CH-A4–CH-A7). */
export function checkVisitorItem(item: VisitorItemView, owner: BoundParticipant): Verdict {
  const where = `struct ${item.id.client}:${item.id.clock}`;
  if (item.content !== 'any' && item.content !== 'deleted') {
    return refuse('forbidden_content', `${where} carries ${item.content}`);
  }
  const values = item.values;
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
  const parent = item.parent;
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

/**
 * CH-S8: a visitor numbers its messages, so it could claim any `seq` and sort its words
 * after every later reply, or tie with them. Each message it sends may be at most one
 * above the highest the receiver holds, counting the lower ones of the same update
 * in order (a sync reply carries many). A deleted message leaves a gap in the numbers
 * that a late receiver cannot see, so each deleted message entry, held or carried,
 * allows one more. An honest visitor is never further ahead than that but for what is
 * still on its way, which the replica waits for (CH-C12).
 *
 * `seqs` are the update's message entries' numbers (sorted here, in place); `carried`
 * counts the deleted message entries it carries.
 */
export function checkSeqBound(
  seqs: number[],
  carried: number,
  bound: { highest: number; deleted: number },
): Verdict {
  const deleted = bound.deleted + carried;
  seqs.sort((a, b) => a - b);
  let allowed = bound.highest + 1 + deleted;
  for (const seq of seqs) {
    if (seq > allowed) return refuse('seq_ahead', `seq ${seq} where at most ${allowed}`);
    allowed = Math.max(allowed, seq + 1 + deleted);
  }
  return { ok: true };
}

/** Visitors write text, page views and attachments; `system` notes and signatures
 * (CH-V2) are staff's. */
function isVisitorMessage(value: unknown): boolean {
  return isMessageEntry(value) && value.kind !== 'system' && value.sig === undefined;
}

/** The schema's verdict, the common text line checked without it (benchmark S6). */
export function isMessageEntry(value: unknown): value is MessageEntry {
  return isPlainMessageEntry(value) || v.is(MessageEntry, value);
}
