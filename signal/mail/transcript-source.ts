/**
 * Where a chat's transcript comes from once the chat has ended: the archive (F27)
 * reads the final chat document a helper's console uploaded. The transcript email
 * and the follow-up pages only need this one call, so they do not depend on how the
 * archive stores it.
 *
 * Exports: `TranscriptSource`, `Transcript`, `TranscriptLine` (protocol/ticket-api.ts),
 * `NO_TRANSCRIPTS`.
 */
import type { TranscriptLine } from '../../protocol/index.ts';

export type { TranscriptLine };

export type Transcript = {
  chatId: string;
  /** Lines in the order of the chat, authors named as the chat showed them. */
  lines: TranscriptLine[];
};

export interface TranscriptSource {
  /** The archived transcript, or null while (or if ever) the chat is not archived. */
  read(chatId: string): Transcript | null;
}

/** A service with no archive yet: every chat reads as not archived. */
export const NO_TRANSCRIPTS: TranscriptSource = { read: () => null };
