/**
 * SPEC.md SP-P5: which security events are told. One reporter's word about one peer and
 * one code counts once in SECURITY_EVENT_QUIET_MS, so a hostile peer cannot flood the
 * monitors. Remembered per chat, and forgotten when the chat closes, so what the
 * service keeps is bounded by the chats open now, not by every chat it ever saw.
 */
import type { ChatErrorCode } from '../../protocol/index.ts';

export const SECURITY_EVENT_QUIET_MS = 10_000;

export class SecurityEventGate {
  /** Chat id → (reporter, peer, code) → when it was last told. */
  readonly #byChat = new Map<string, Map<string, number>>();

  /** Whether this report is to be told now; if so, it is remembered as told at `now`. */
  admit(
    report: { chatId: string; reporter: string; peer: string; code: ChatErrorCode },
    now: number,
  ): boolean {
    const key = `${report.reporter}\u0000${report.peer}\u0000${report.code}`;
    let told = this.#byChat.get(report.chatId);
    const last = told?.get(key);
    if (last !== undefined && now - last < SECURITY_EVENT_QUIET_MS) return false;
    if (told === undefined) {
      told = new Map();
      this.#byChat.set(report.chatId, told);
    }
    told.set(key, now);
    return true;
  }

  /** The chat closed: nothing of it is kept. */
  forgetChat(chatId: string): void {
    this.#byChat.delete(chatId);
  }

  /** How many (reporter, peer, code) entries are kept, over all chats or for one. */
  size(chatId?: string): number {
    if (chatId !== undefined) return this.#byChat.get(chatId)?.size ?? 0;
    let n = 0;
    for (const told of this.#byChat.values()) n += told.size;
    return n;
  }
}
