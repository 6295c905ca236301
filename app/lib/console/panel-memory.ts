/**
 * What a chat's panel keeps while another chat is shown (benchmark S8). The workspace
 * mounts the panel of the shown chat only: a hidden panel of a long chat kept its
 * rendered log, and every switch restyled and updated it. So the reader's place in
 * the log (scrolled up or following the bottom, what was rendered, which entries were
 * new) and the drafts in the reply box and the staff-note box live here, per chat id,
 * and a panel mounted again starts from them: switching back shows the chat exactly
 * as it was left, with a "New messages" button if some arrived meanwhile.
 */
import type { LogPlace } from '../ui/log-place.ts';
import { freshLogPlace } from '../ui/log-place.ts';

export type PanelMemory = {
  /** The reply being written (ChatPanel). */
  reply: string;
  /** The staff note being written (StaffNotes). */
  note: string;
  log: LogPlace;
};

export class PanelMemories {
  readonly #byChat = new Map<string, PanelMemory>();

  /** The memory of `chatId`'s panel, made on first use. */
  of(chatId: string): PanelMemory {
    let memory = this.#byChat.get(chatId);
    if (memory === undefined) {
      memory = { reply: '', note: '', log: freshLogPlace() };
      this.#byChat.set(chatId, memory);
    }
    return memory;
  }

  /** Forgets the panels of chats no longer held (a closed tab keeps nothing). */
  keepOnly(chatIds: Iterable<string>): void {
    const kept = new Set(chatIds);
    for (const chatId of this.#byChat.keys()) if (!kept.has(chatId)) this.#byChat.delete(chatId);
  }

  get size(): number {
    return this.#byChat.size;
  }
}
