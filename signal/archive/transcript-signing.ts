/**
 * The archive checks helper signatures (SPEC.md SP-U10, CHAT.md CH-V6): after an upload
 * passed its authorship check (transcript-check.ts), every staff line of the final
 * document is verified against the public key the service bound with the line's
 * client id (SP-P6), and marked `verified` or not. A chat handed over after its helper
 * vanished (B3, SP-K1–CH-K9) has its earlier helpers' lines only in the copies of the
 * earlier conversation the uploader holds: those copies are decoded apart (SP-K2), and
 * each staff line no final line has is added, marked `earlier`, verified the same way.
 * A copy is anyone's word: its lines never replace the document's, its visitor lines
 * are not taken (the visitor's own lines reach the final document through the sync),
 * and a line under a client id bound to nobody is not taken either.
 *
 * Exports: `signTranscript(input)`.
 */
import {
  ChatDocument,
  decodeEarlierHistory,
  verifyTranscriptSignatures,
  type ArchivedMessage,
  type ListedWriter,
} from '../../protocol/index.ts';
import type { ParticipantRecord } from '../core/records.ts';

export type SigningInput = {
  chatId: string;
  /** The final document, as uploaded and already checked. */
  update: Uint8Array;
  /** Its lines as transcript-check.ts read them. */
  messages: readonly ArchivedMessage[];
  /** The copies of the earlier conversation sent with the upload (SP-U10). */
  earlier: readonly Uint8Array[];
  participants: readonly ParticipantRecord[];
};

export type SigningResult =
  { ok: true; messages: ArchivedMessage[] } | { ok: false; detail: string };

export async function signTranscript(input: SigningInput): Promise<SigningResult> {
  const writers: ListedWriter[] = input.participants.map((p) => ({
    role: p.role,
    clientIds: p.clientIds,
    keys: p.keys,
  }));
  const final = await verifyTranscriptSignatures(input.chatId, input.update, writers);
  if (!final.ok) return { ok: false, detail: `final document: ${final.code}` };
  const messages = input.messages.map((m) =>
    m.author.role === 'visitor' ? m : { ...m, verified: final.verified.has(m.id) },
  );
  const known = new Set(messages.map((m) => m.id));
  const staffByClient = new Map<number, ParticipantRecord>();
  for (const p of input.participants) {
    if (p.role === 'visitor') continue;
    for (const client of p.clientIds) staffByClient.set(client, p);
  }
  for (const [index, copy] of input.earlier.entries()) {
    const decoded = decodeEarlierHistory(copy);
    if (!decoded.ok) return { ok: false, detail: `earlier copy ${index + 1}: ${decoded.code}` };
    try {
      const checked = await verifyTranscriptSignatures(input.chatId, copy, writers);
      if (!checked.ok) return { ok: false, detail: `earlier copy ${index + 1}: ${checked.code}` };
      for (const line of new ChatDocument(decoded.history.doc).messages()) {
        const writer = staffByClient.get(line.authorClient);
        if (writer === undefined || known.has(line.id)) continue;
        known.add(line.id);
        const archived: ArchivedMessage = {
          id: line.id,
          seq: line.seq,
          kind: line.kind,
          body: line.body,
          at: line.at,
          author: { id: writer.id, role: writer.role, name: writer.name },
          verified: checked.verified.has(line.id),
          earlier: true,
        };
        if (line.page !== undefined) archived.page = line.page;
        if (line.attachment !== undefined) archived.attachment = line.attachment;
        if (line.sig !== undefined) archived.signed = true;
        messages.push(archived);
      }
    } finally {
      decoded.history.doc.destroy();
    }
  }
  // CH-S5: conversation order, the earlier lines where their seq puts them.
  messages.sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ok: true, messages };
}
