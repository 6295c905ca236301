/**
 * What a chat's panel keeps while another chat is shown (benchmark S8). The workspace
 * keeps one chat panel mounted (one watch panel for watched chats) and swaps the chat
 * it shows: a hidden panel per chat kept its rendered log, and every switch restyled
 * and updated it; a panel mounted per switch rebuilt its reply box, toolbar, notes and
 * visitor pane. So the reader's place in the log (scrolled up or following the bottom,
 * what was rendered, which entries were new) and the drafts in the reply box and the
 * staff-note box live here, per chat id; the log (made anew per chat) and the panel
 * start from them: switching back shows the chat exactly as it was left, with a "New
 * messages" button if some arrived meanwhile.
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

/**
 * `value`, whichever chat `_chatId` is: `let x = $derived(afresh(chatId, v))` in a panel
 * that stays mounted is state of the chat shown (assignable, as `$state`) that starts
 * again at `v` when another chat is shown (a refusal, an open dialog).
 */
export function afresh<T>(_chatId: string, value: T): T {
  return value;
}
