/**
 * The transcript archive (FEATURES.md F27, F24; SPEC.md SP-U1–SP-U9): accepts a helper's
 * upload of an ended chat, keeps the visitor's rating, answers staff searches, and
 * sweeps (chats nobody archived are marked, expired transcripts deleted). The HTTP
 * routes (archive-routes.ts) and other services (the transcript email, follow-ups)
 * call this; it holds no socket and takes its clock and settings from outside.
 *
 * Exports: `createTranscriptArchive(deps)`, `TranscriptArchive`, `ArchiveSettings`,
 * `NOT_ARCHIVED_AFTER_MS`, `ftsQuery(text)`.
 */
import { createHash } from 'node:crypto';
import type {
  ArchiveQuery,
  ArchiveResults,
  ArchiveUpload,
  ArchiveUploaded,
  ChatRating,
  ErrorCode,
  Transcript,
} from '../../protocol/index.ts';
import type { Logger } from '../log.ts';
import { helpersOf, type ArchiveStore } from '../storage/archive-store.ts';
import { checkTranscript } from './transcript-check.ts';
import { signTranscript } from './transcript-signing.ts';

/** SP-U8: an ended chat no helper uploaded by then is marked "not archived" (the default of
 * `ARCHIVE_WAIT_SECONDS`). */
export const NOT_ARCHIVED_AFTER_MS = 10 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

export type ArchiveSettings = {
  /** Days a transcript is kept; 0 keeps none (SP-U9). */
  archiveRetentionDays: number;
  /** Bytes of file content kept per chat; 0 keeps metadata only (SP-U4). */
  archiveFileBytes: number;
};

/** Who a rating concerns, for the notices (SP-U7). */
export type RatedChat = { helperIds: string[]; helpers: string[]; visitor: string };

export type Failure = { ok: false; status: number; code: ErrorCode; detail?: string };

export type TranscriptArchive = {
  upload(
    accountId: string,
    chatId: string,
    body: ArchiveUpload,
  ): Promise<{ ok: true; value: ArchiveUploaded } | Failure>;
  /** SP-U6: an archived (or "not archived") transcript: messages with author names,
   * their formatting source and time; null when there is none. */
  transcript(chatId: string): Transcript | null;
  /** The bytes of an archived file, when they were kept (SP-U4). */
  file(chatId: string, sha256: string): Uint8Array | null;
  search(query: ArchiveQuery): ArchiveResults;
  /** F24: the visitor of an ended chat rates it once. */
  rate(
    visitorId: string,
    chatId: string,
    stars: number,
    comment: string | null,
  ): { ok: true; value: ChatRating & RatedChat } | Failure;
  rating(chatId: string): ChatRating | null;
  /** SP-U5: the helpers and department ids that transcripts have. */
  filters(): { helpers: { id: string; name: string }[]; departments: string[] };
  /** SP-U8, SP-U9: marks chats nobody archived, deletes what retention no longer keeps. */
  sweep(): { notArchived: number; deleted: number };
};

export function createTranscriptArchive(deps: {
  store: ArchiveStore;
  settings: () => ArchiveSettings;
  now: () => number;
  log: Logger;
  /** SP-U8: how long after the end an upload is awaited (ARCHIVE_WAIT_SECONDS). */
  notArchivedAfterMs?: number;
}): TranscriptArchive {
  const { store, log } = deps;

  return {
    async upload(accountId, chatId, body) {
      const chat = store.closedChat(chatId);
      if (chat === null) {
        // Still open (the end is on its way over the socket), or never existed.
        return failure(409, 'chat_not_ended');
      }
      if (!chat.record.participants.some((p) => p.id === accountId && p.role === 'helper')) {
        return failure(403, 'not_participant');
      }
      if (store.status(chatId) === 'archived') return failure(409, 'already_archived');
      const update = Buffer.from(body.update, 'base64');
      const files = new Map<string, Uint8Array>();
      for (const file of body.files ?? []) files.set(file.sha256, Buffer.from(file.data, 'base64'));
      const settings = deps.settings();
      const checked = checkTranscript({
        update,
        participants: chat.record.participants,
        uploaderId: accountId,
        files,
        fileBudget: settings.archiveFileBytes,
      });
      if (!checked.ok) {
        log.warn(
          { chatId, accountId, code: checked.code, detail: checked.detail },
          'archive refused',
        );
        return failure(statusOf(checked.code), checked.code, checked.detail);
      }
      // SP-U10, CHAT.md CH-V6: staff lines verified against the keys bound with their client
      // ids; the earlier copies add the lines of helpers who left before a requeue.
      const signed = await signTranscript({
        chatId,
        update,
        messages: checked.messages,
        earlier: (body.earlier ?? []).map((copy) => Buffer.from(copy, 'base64')),
        participants: chat.record.participants,
      });
      if (!signed.ok) {
        log.warn({ chatId, accountId, detail: signed.detail }, 'archive refused');
        return failure(422, 'undecodable_transcript', signed.detail);
      }
      const summary = { chatId, messages: signed.messages.length, files: checked.fileBytes.size };
      // SP-U9: with a retention of 0 days nothing is kept; the upload is still checked.
      if (settings.archiveRetentionDays === 0)
        return { ok: true, value: { ...summary, stored: false } };
      const visitor = chat.record.participants.find((p) => p.role === 'visitor');
      const stored = store.store({
        chatId,
        department: chat.department,
        visitor: {
          id: chat.record.visitor.visitorId,
          name: visitor?.name ?? chat.record.details.name,
          email: chat.record.details.email,
        },
        startedAt: chat.started_at,
        endedAt: chat.ended_at,
        archivedAt: deps.now(),
        uploadedBy: accountId,
        helpers: helpersOf(chat),
        messages: signed.messages,
        files: checked.files,
        doc: update,
        docSha256: createHash('sha256').update(update).digest('hex'),
        fileBytes: checked.fileBytes,
      });
      // Two helpers racing: the other's upload won between the check and the write.
      if (!stored) return failure(409, 'already_archived');
      log.info({ chatId, accountId, messages: summary.messages }, 'transcript archived');
      return { ok: true, value: { ...summary, stored: true } };
    },

    transcript(chatId) {
      return store.transcript(chatId);
    },

    file(chatId, sha256) {
      return store.file(chatId, sha256);
    },

    search(query) {
      const match = query.text === undefined ? null : ftsQuery(query.text);
      const results = store.search({
        match,
        helper: query.helper ?? null,
        department: query.department ?? null,
        stars: query.stars ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        // Tags are kept lower case (SP-K2).
        tag: query.tag?.toLowerCase() ?? null,
        limit: query.limit ?? 50,
      });
      return { results };
    },

    rate(visitorId, chatId, stars, comment) {
      const chat = store.closedChat(chatId);
      if (chat === null || chat.outcome !== 'ended') return failure(409, 'chat_not_ended');
      if (chat.record.visitor.visitorId !== visitorId) return failure(403, 'not_participant');
      const at = deps.now();
      if (!store.rate(chatId, stars, comment === '' ? null : comment, at)) {
        return failure(409, 'already_rated');
      }
      const helpers = helpersOf(chat);
      const visitor =
        chat.record.participants.find((p) => p.role === 'visitor')?.name ??
        chat.record.details.name;
      return {
        ok: true,
        value: {
          stars,
          comment: comment || null,
          at,
          helperIds: helpers.map((h) => h.id),
          helpers: helpers.map((h) => h.name).slice(0, 8),
          visitor,
        },
      };
    },

    rating(chatId) {
      return store.rating(chatId);
    },

    filters() {
      return store.filters();
    },

    sweep() {
      const now = deps.now();
      const days = deps.settings().archiveRetentionDays;
      const cutoff = days === 0 ? now + 1 : now - days * DAY_MS;
      const wait = deps.notArchivedAfterMs ?? NOT_ARCHIVED_AFTER_MS;
      const unarchived = store.unarchivedEnded(now - wait, cutoff);
      for (const chat of unarchived) store.markNotArchived(chat);
      const deleted = store.deleteBefore(cutoff);
      if (unarchived.length > 0 || deleted.length > 0) {
        log.info({ notArchived: unarchived.length, deleted: deleted.length }, 'archive swept');
      }
      return { notArchived: unarchived.length, deleted: deleted.length };
    },
  };
}

function failure(status: number, code: ErrorCode, detail?: string): Failure {
  return detail === undefined ? { ok: false, status, code } : { ok: false, status, code, detail };
}

function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'archive_too_large':
      return 413;
    case 'not_participant':
      return 403;
    case 'forged_authorship':
    case 'undecodable_transcript':
      return 422;
    default:
      return 400;
  }
}

/**
 * The words of a staff search as an FTS5 query that cannot be misread as FTS5 syntax:
 * each run of letters or digits becomes a quoted prefix term, all of them required.
 * Null when there is no word to look for.
 */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return null;
  return words
    .slice(0, 20)
    .map((word) => `"${word}"*`)
    .join(' ');
}
