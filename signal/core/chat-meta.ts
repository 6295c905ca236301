/**
 * Tags and labels of open chats (SPEC.md SP-K1–SP-K5): staff data about a chat, kept by
 * the service and told only to staff. `ChatMetaBook` holds them with the per-account
 * change budget (the handler of `tag_add`, `tag_remove` and `label_set` is in
 * `chat-meta-handlers.ts`). The values are replaced, never mutated, so a row or a
 * message that carries them cannot change after it was made.
 */
import type { ChatMeta } from '../../protocol/index.ts';
import { DEFAULT_CORE_CONFIG } from './events.ts';
import type { ChatMetaRecord } from './records.ts';

/** Shared by every chat without metadata; nothing mutates a record (see above). */
const NONE: ChatMetaRecord = { tags: [], label: '' };

/** SP-K3: changes one staff member may make in one window, whatever the chat, by
 * default (CHAT_META_CHANGES_PER_10_SECONDS). A person tags a chat a few times; a script
 * that tags in a loop is stopped here, before the database and every monitor's board
 * pay for it. */
export const META_CHANGES_PER_WINDOW = DEFAULT_CORE_CONFIG.metaChangesPerWindow;
export const META_WINDOW_MS = 10_000;

export class ChatMetaBook {
  readonly #meta = new Map<string, ChatMetaRecord>();
  readonly #windows = new Map<string, { start: number; count: number }>();

  get(chatId: string): ChatMetaRecord {
    return this.#meta.get(chatId) ?? NONE;
  }

  set(chatId: string, meta: ChatMetaRecord): void {
    if (meta.tags.length === 0 && meta.label === '') this.#meta.delete(chatId);
    else this.#meta.set(chatId, meta);
  }

  /** The chat ended: the service keeps its tags in storage only (SP-K5, SP-K6). */
  forget(chatId: string): void {
    this.#meta.delete(chatId);
  }

  message(chatId: string): ChatMeta {
    const meta = this.get(chatId);
    return { type: 'chat_meta', chatId, tags: [...meta.tags], label: meta.label };
  }

  /** Counts one change against the account's budget of `limit` per window; false
   * when it is spent. */
  allowChange(accountId: string, now: number, limit: number): boolean {
    const window = this.#windows.get(accountId);
    if (window === undefined || now - window.start >= META_WINDOW_MS) {
      // Old windows go when a new one starts, so the map holds recent changers only.
      for (const [id, w] of this.#windows) {
        if (now - w.start >= META_WINDOW_MS) this.#windows.delete(id);
      }
      this.#windows.set(accountId, { start: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= limit;
  }
}
