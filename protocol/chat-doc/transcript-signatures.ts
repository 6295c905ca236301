/**
 * Which lines of a whole chat document carry their writer's signature (protocol/CHAT.md
 * CH-V6): for a transcript read after the chat, such as the archive's (the final document
 * keeps every entry's `sig`). The caller gives the document's bytes as stored and the
 * service's bindings of the chat (participants current and former, with the keys bound
 * with their client ids, SPEC.md SP-P4, SP-P6). The bytes are decoded as a history is (SP-K2: caps,
 * every Yjs call wrapped, a document of its own); each line written under a staff
 * member's client id is checked as CH-V3 checks an earlier line.
 */
import type { MessageId } from './chat-schema.ts';
import type { Refusal } from './chat-errors.ts';
import { ChatDocument } from './chat-document.ts';
import { decodeEarlierHistory, verifyHelperLines, type ListedWriter } from './earlier-history.ts';

export type TranscriptSignatures = {
  ok: true;
  /** Staff lines whose signature verifies with the key bound with their client id. */
  verified: Set<MessageId>;
  /** Staff lines that do not (unsigned, altered, or signed with another key). */
  unverified: Set<MessageId>;
};

export async function verifyTranscriptSignatures(
  chatId: string,
  update: Uint8Array,
  writers: readonly ListedWriter[],
): Promise<TranscriptSignatures | Refusal> {
  const decoded = decodeEarlierHistory(update);
  if (!decoded.ok) return decoded;
  const staff = new Set(writers.filter((w) => w.role !== 'visitor').flatMap((w) => w.clientIds));
  try {
    const lines = new ChatDocument(decoded.history.doc)
      .messages()
      .filter((m) => staff.has(m.authorClient))
      .map((m) => ({ ...m, claimedRole: 'helper' as const }));
    const verified = (await verifyHelperLines(chatId, lines, writers)) as Set<MessageId>;
    const unverified = new Set(lines.map((l) => l.id).filter((id) => !verified.has(id)));
    return { ok: true, verified, unverified };
  } finally {
    decoded.history.doc.destroy();
  }
}
