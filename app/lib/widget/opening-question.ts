/**
 * The pre-chat question opens the transcript (issue 11): the visitor's own client
 * writes it as their first message, so the permission rules of the chat document
 * hold (CHAT.md: a visitor writes only their own messages). It is kept in the
 * widget's storage from the request until the chat has it, so a reload before the
 * client id is bound still posts it, and a reload after does not post it twice.
 */
import type { SessionView } from '../session/session-view.ts';

const KEY = 'peerdesk.question';

/** The question asked, and the chat it belongs to once one started. */
export type KeptQuestion = { text: string; chatId: string | null };

export function keepQuestion(storage: Pick<Storage, 'setItem'>, text: string): void {
  write(storage, { text, chatId: null });
}

export function keptQuestion(storage: Pick<Storage, 'getItem'>): KeptQuestion | null {
  try {
    const raw: unknown = JSON.parse(storage.getItem(KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return null;
    const { text, chatId } = raw as Record<string, unknown>;
    if (typeof text !== 'string' || (chatId !== null && typeof chatId !== 'string')) return null;
    return { text, chatId };
  } catch {
    return null;
  }
}

/** Ties a kept question to the chat that opened for it. */
export function claimQuestion(
  storage: Pick<Storage, 'setItem'>,
  kept: KeptQuestion,
  chatId: string,
): KeptQuestion {
  const claimed = { text: kept.text, chatId };
  write(storage, claimed);
  return claimed;
}

/**
 * The question to post in this chat now, or null: none kept, kept for another
 * chat, or already in the transcript (the question is the visitor's first message,
 * so any text of theirs there, sent or still pending, means it was posted).
 */
export function questionToPost(
  kept: KeptQuestion | null,
  chatId: string,
  view: Pick<SessionView, 'messages'>,
): string | null {
  if (kept === null || kept.text.trim() === '') return null;
  if (kept.chatId !== null && kept.chatId !== chatId) return null;
  if (view.messages.some((m) => m.mine && m.kind === 'text')) return null;
  return kept.text;
}

function write(storage: Pick<Storage, 'setItem'>, kept: KeptQuestion): void {
  try {
    storage.setItem(KEY, JSON.stringify(kept));
  } catch {
    // No storage: the question is posted from this page's memory only.
  }
}
