/**
 * Checks an uploaded final chat document before the archive keeps it (SPEC.md SP-U2):
 * the service is one more receiver, so it runs the peers' own permission filter
 * (protocol/chat-doc/permission-filter.ts, CHAT.md CH-A1–CH-A10) with the uploading
 * helper as the sender, and then holds the upload to a rule no peer can: the service
 * bound every client id of the chat itself (SP-P1–SP-P4), so a struct or delete under a
 * client id nobody was bound to is authorship made up after the fact.
 *
 * Pure: bytes and the closed chat's record in, a verdict out; never throws.
 *
 * Exports: `checkTranscript(input)`, `TranscriptCheck`, `CheckedTranscript`.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import {
  ChatDocument,
  LIMITS,
  ParticipantBindings,
  filterUpdate,
  type ArchivedFile,
  type ArchivedMessage,
  type BoundParticipant,
  type ErrorCode,
} from '../../protocol/index.ts';
import type { ParticipantRecord } from '../core/records.ts';

export type TranscriptCheckInput = {
  update: Uint8Array;
  /** Everyone the chat ever had, as the switchboard recorded it at the end. */
  participants: readonly ParticipantRecord[];
  uploaderId: string;
  /** Files sent with the upload, by the SHA-256 they claim. */
  files: ReadonlyMap<string, Uint8Array>;
  /** Bytes of file content the archive keeps per chat (ARCHIVE_FILE_BYTES). */
  fileBudget: number;
};

export type CheckedTranscript = {
  messages: ArchivedMessage[];
  files: ArchivedFile[];
  /** The files whose bytes are kept: sent, matching their hash, within the budget. */
  fileBytes: Map<string, Uint8Array>;
};

export type TranscriptCheck =
  ({ ok: true } & CheckedTranscript) | { ok: false; code: ErrorCode; detail: string };

export function checkTranscript(input: TranscriptCheckInput): TranscriptCheck {
  const uploader = input.participants.find((p) => p.id === input.uploaderId);
  // SP-U1: only a helper of the chat; a monitor watched read-only and holds nothing to add.
  if (uploader === undefined || uploader.role !== 'helper') {
    return fail('not_participant', `${input.uploaderId} was not a helper of this chat`);
  }
  if (input.update.byteLength > LIMITS.maxChatDocBytes) {
    return fail('archive_too_large', `${input.update.byteLength} bytes of chat document`);
  }
  const bindings = new ParticipantBindings(
    input.participants.filter((p) => p.left !== true),
    input.participants.filter((p) => p.left === true),
  );
  const sender: BoundParticipant = {
    id: uploader.id,
    role: 'helper',
    clientIds: new Set(uploader.clientIds),
    left: false,
  };
  const verdict = filterUpdate(input.update, { sender, bindings, message: 'step2' });
  if (!verdict.ok) {
    const code = verdict.code === 'undecodable' ? 'undecodable_transcript' : 'forged_authorship';
    return fail(code, `${verdict.code}: ${verdict.detail}`);
  }
  const unbound = unboundClient(input.update, bindings);
  if (unbound !== null) return fail('forged_authorship', unbound);

  const doc = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(doc, input.update);
  } catch (error) {
    return fail('undecodable_transcript', error instanceof Error ? error.message : 'apply failed');
  }
  const names = new Map(input.participants.map((p) => [p.id, p.name]));
  const messages: ArchivedMessage[] = [];
  for (const m of new ChatDocument(doc).messages(bindings)) {
    // unboundClient made sure every struct has an author.
    if (m.author === undefined) continue;
    const line: ArchivedMessage = {
      id: m.id,
      seq: m.seq,
      kind: m.kind,
      body: m.body,
      at: m.at,
      author: { id: m.author.id, role: m.author.role, name: names.get(m.author.id) ?? m.author.id },
    };
    if (m.page !== undefined) line.page = m.page;
    if (m.attachment !== undefined) line.attachment = m.attachment;
    if (m.sig !== undefined) line.signed = true;
    messages.push(line);
  }
  doc.destroy();
  return withFiles(messages, input.files, input.fileBudget);
}

/** SP-U4: file bytes are kept only for an attachment of this transcript whose SHA-256
 * they match, and only up to the budget; anything else refuses the upload whole. */
function withFiles(
  messages: ArchivedMessage[],
  sent: ReadonlyMap<string, Uint8Array>,
  budget: number,
): TranscriptCheck {
  const attachments = new Map<string, ArchivedMessage['attachment'] & object>();
  for (const m of messages) if (m.attachment) attachments.set(m.attachment.sha256, m.attachment);
  let total = 0;
  const fileBytes = new Map<string, Uint8Array>();
  for (const [sha256, bytes] of sent) {
    const attachment = attachments.get(sha256);
    if (attachment === undefined) {
      return fail('forged_authorship', `file ${sha256.slice(0, 12)}… is not attached in the chat`);
    }
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
      return fail('forged_authorship', `file ${attachment.name} does not match its SHA-256`);
    }
    total += bytes.byteLength;
    if (total > budget) {
      return fail(
        'archive_too_large',
        budget === 0
          ? 'this service keeps no file bytes (ARCHIVE_FILE_BYTES=0)'
          : `file bytes over the budget of ${budget}`,
      );
    }
    fileBytes.set(sha256, bytes);
  }
  const files: ArchivedFile[] = [...attachments.values()].map((a) => ({
    sha256: a.sha256,
    name: a.name,
    mime: a.mime,
    bytes: a.bytes,
    stored: fileBytes.has(a.sha256),
  }));
  return { ok: true, messages, files, fileBytes };
}

/** The first struct or delete under a client id the service never bound, described. */
function unboundClient(update: Uint8Array, bindings: ParticipantBindings): string | null {
  // filterUpdate decoded these bytes already; decoding cannot throw now.
  const decoded = Y.decodeUpdate(update);
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Skip) continue;
    if (bindings.author(struct.id.client) === undefined) {
      return `struct ${struct.id.client}:${struct.id.clock} is under a client id bound to nobody in this chat`;
    }
  }
  for (const client of decoded.ds.clients.keys()) {
    if (bindings.author(client) === undefined) {
      return `deletes structs of client ${client}, bound to nobody in this chat`;
    }
  }
  return null;
}

function fail(code: ErrorCode, detail: string): TranscriptCheck {
  return { ok: false, code, detail: detail.slice(0, 300) };
}
