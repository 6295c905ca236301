/**
 * Tags and labels of open chats (SPEC.md SP-K1–SP-K5): staff data about a chat, kept by
 * the service and told only to staff. `ChatMetaBook` holds them with the per-account
 * change budget; `chatMetaMessage` is the handler of `tag_add`, `tag_remove` and
 * `label_set`. The values are replaced, never mutated, so a row or a message that
 * carries them cannot change after it was made.
 */
import type { ChatMeta, StaffToService } from '../../protocol/index.ts';
import { LIMITS } from '../../protocol/index.ts';
import type { Board } from './board.ts';
import type { ConnId } from './events.ts';
import type { ChatMetaRecord } from './records.ts';
import type { ChatState, StaffState } from './state.ts';
import { canWatch } from './state.ts';

type ChatMetaChange = Extract<StaffToService, { type: 'tag_add' | 'tag_remove' | 'label_set' }>;

/** Shared by every chat without metadata; nothing mutates a record (see above). */
const NONE: ChatMetaRecord = { tags: [], label: '' };

/** SP-K3: changes one staff member may make in one window, whatever the chat. A person
 * tags a chat a few times; a script that tags in a loop is stopped here, before the
 * database and every monitor's board pay for it. */
export const META_CHANGES_PER_WINDOW = 20;
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

  /** Counts one change against the account's budget; false when it is spent. */
  allowChange(accountId: string, now: number): boolean {
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
    return window.count <= META_CHANGES_PER_WINDOW;
  }
}

/** SP-K3: a helper of the active chat, or any monitor or admin for any open chat. */
export function mayChangeMeta(chat: ChatState, s: StaffState): boolean {
  if (canWatch(s.account)) return true;
  return chat.status === 'active' && chat.participants.get(s.account.id)?.role === 'helper';
}

export function chatMetaMessage(
  board: Board,
  conn: ConnId,
  s: StaffState,
  msg: ChatMetaChange,
): void {
  const chat = board.chats.get(msg.chatId);
  if (chat === undefined) return board.error(conn, 'unknown_chat', msg.type, msg.chatId);
  if (!mayChangeMeta(chat, s)) {
    return board.error(conn, 'not_participant', msg.type, msg.chatId);
  }
  if (!board.meta.allowChange(s.account.id, board.now)) {
    return board.error(conn, 'rate_limited', msg.type, msg.chatId);
  }
  const before = board.meta.get(chat.chatId);
  const after = changed(before, msg);
  if (after === 'full') return board.error(conn, 'too_many_tags', msg.type, msg.chatId);
  // SP-K2: adding a tag the chat has, or removing one it has not, changes nothing.
  if (after === null) return;
  board.meta.set(chat.chatId, after);
  board.feed.markChat(chat.chatId);
  board.out.push({
    kind: 'persist',
    change: {
      op: 'chat_meta',
      chatId: chat.chatId,
      chatAt: chat.enqueuedAt,
      at: board.now,
      meta: { tags: [...after.tags], label: after.label },
    },
  });
  // SP-K4: every staff participant online hears of it at once; the visitor never does.
  const told = board.meta.message(chat.chatId);
  for (const p of chat.participants.values()) {
    if (p.role !== 'visitor') board.send(board.staffConn(p.id), told);
  }
  // A monitor who changed it from the board, without watching, sees it confirmed too.
  if (!chat.participants.has(s.account.id)) board.send(conn, told);
}

function changed(before: ChatMetaRecord, msg: ChatMetaChange): ChatMetaRecord | 'full' | null {
  switch (msg.type) {
    case 'tag_add':
      if (before.tags.includes(msg.tag)) return null;
      if (before.tags.length >= LIMITS.maxTagsPerChat) return 'full';
      return { tags: [...before.tags, msg.tag], label: before.label };
    case 'tag_remove':
      if (!before.tags.includes(msg.tag)) return null;
      return { tags: before.tags.filter((t) => t !== msg.tag), label: before.label };
    case 'label_set': {
      const label = msg.label.trim();
      return label === before.label ? null : { tags: before.tags, label };
    }
  }
}
