/**
 * The earlier conversation, as kept by the visitor (protocol/CHAT.md CH-K1–CH-K5).
 *
 * When a chat returns to the queue (its helpers gone, SPEC.md SP-G2) and a new helper
 * joins, the trusted sync cannot give that helper the earlier helpers' messages:
 * their client ids are no longer bound, and a visitor may only send its own
 * structs (CH-A5, CH-C4). So the visitor also sends its whole document as a separate
 * `history` message. It is decoded here into a SEPARATE, read-only Y.Doc that is
 * never merged into the chat document: whatever it says about helpers is the
 * visitor's word only, and the UI labels it so.
 */
import * as Y from 'yjs';
import { LIMITS } from '../limits.ts';
import { refuse, type Refusal } from './chat-errors.ts';
import { ChatDocument, type ChatMessage } from './chat-document.ts';
import type { BoundParticipant } from './participant-bindings.ts';
import type { ChatRole } from '../primitives.ts';
import type { BoundKey } from '../shared-messages.ts';
import { messageIdClient } from './chat-schema.ts';
import { verifyLine } from './message-signature.ts';

/** One line of the earlier conversation. */
export type HistoryLine = Omit<ChatMessage, 'author'> & {
  /** Who the visitor's copy says wrote it: the visitor's own client ids, or anyone else. */
  claimedRole: 'visitor' | 'helper';
  /** True only for the visitor's own lines (CH-K3): their client ids are bound to the
   * visitor, who can vouch for those. Every helper line is the visitor's say-so. */
  verified: boolean;
};

export type EarlierHistory = {
  /** A document of its own: never merged with the chat document (CH-K2). */
  readonly doc: Y.Doc;
  /** The bytes as received: what a helper stores to show it again after a reload. */
  readonly update: Uint8Array;
  /** The lines in conversation order (CH-S5), judged against the sending visitor. */
  lines(visitor: BoundParticipant): HistoryLine[];
};

/** CH-K2: decoded within caps, every Yjs call wrapped, into a document of its own. */
export function decodeEarlierHistory(
  update: Uint8Array,
): { ok: true; history: EarlierHistory } | Refusal {
  if (update.byteLength > LIMITS.maxChatDocBytes) {
    return refuse('update_too_large', `history of ${update.byteLength} bytes`);
  }
  try {
    // Decoding first rejects garbage without touching any document (CH-A4).
    Y.decodeUpdate(update);
  } catch (error) {
    return refuse('undecodable', error instanceof Error ? error.message : 'decode failed');
  }
  // gc off is not needed: nobody edits this document, it is only read.
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, update, 'earlier-history');
  } catch (error) {
    doc.destroy();
    return refuse('apply_failed', error instanceof Error ? error.message : 'apply threw');
  }
  const chat = new ChatDocument(doc);
  return {
    ok: true,
    history: {
      doc,
      update,
      lines(visitor) {
        return chat.messages().map(({ author: _author, ...message }) => {
          const own = visitor.clientIds.has(message.authorClient);
          return { ...message, claimedRole: own ? 'visitor' : 'helper', verified: own };
        });
      },
    },
  };
}

/** Who the service lists as writers of the chat, now or before (SPEC.md SP-P4, SP-P5). */
export type ListedWriter = {
  role: ChatRole;
  clientIds: readonly number[];
  keys?: readonly BoundKey[] | undefined;
};

/**
 * CH-V3: the earlier helper lines whose signature checks out: the line's client id is bound
 * to a staff member (current or former), the message id is in that client id's key space
 * (CH-S3), and the signature over (chat id, id, seq, kind, body, at) verifies with the key
 * the service bound with that very client id. Anything else stays the visitor's word.
 */
export async function verifyHelperLines(
  chatId: string,
  lines: readonly Pick<
    HistoryLine,
    'id' | 'authorClient' | 'claimedRole' | 'seq' | 'kind' | 'body' | 'at' | 'sig'
  >[],
  writers: readonly ListedWriter[],
): Promise<Set<string>> {
  const keys = new Map<number, BoundKey>();
  for (const w of writers) {
    if (w.role === 'visitor') continue;
    for (const k of w.keys ?? []) {
      if (w.clientIds.includes(k.clientId) && !keys.has(k.clientId)) keys.set(k.clientId, k);
    }
  }
  const checks = lines.map(async (line) => {
    if (line.claimedRole !== 'helper' || line.sig === undefined) return null;
    const key = keys.get(line.authorClient);
    if (key === undefined || messageIdClient(line.id) !== line.authorClient) return null;
    return (await verifyLine(key, chatId, line.id, line)) ? line.id : null;
  });
  return new Set((await Promise.all(checks)).filter((id): id is string => id !== null));
}
