/**
 * The transcript archive (F27, signal/archive) as the follow-ups read it: the lines of
 * an archived chat with their authors by name. A chat marked not archived reads as
 * null, like one not archived yet.
 *
 * Exports: `archiveTranscripts(archive)` → `TranscriptSource`, `toTranscriptLines`.
 */
import { safeFileName, type ArchivedMessage } from '../../protocol/index.ts';
import type { TranscriptArchive } from '../archive/transcript-archive.ts';
import type { TranscriptLine, TranscriptSource } from './transcript-source.ts';

export function toTranscriptLines(messages: readonly ArchivedMessage[]): TranscriptLine[] {
  return messages.map((m) => ({
    id: m.id,
    kind: m.kind,
    // Monitors never write (they are read-only); a staff line is a helper's.
    role: m.kind === 'system' ? 'system' : m.author.role === 'visitor' ? 'visitor' : 'helper',
    author: m.author.name,
    body:
      m.kind === 'page' && m.page !== undefined
        ? `${m.page.title || m.page.url} (${m.page.url})`
        : m.kind === 'attachment' && m.attachment !== undefined
          ? // CH-X10: the name the chat showed, not the one sent.
            safeFileName(m.attachment.name)
          : m.body,
    at: m.at,
  }));
}

export function archiveTranscripts(
  archive: Pick<TranscriptArchive, 'transcript'>,
): TranscriptSource {
  return {
    read(chatId) {
      const transcript = archive.transcript(chatId);
      if (transcript === null || transcript.status !== 'archived') return null;
      return { chatId, lines: toTranscriptLines(transcript.messages) };
    },
  };
}
