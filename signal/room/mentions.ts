/**
 * SP-CR5: `@nickname` in a room message names an account. Nicknames are letters,
 * digits, `_ . -`; a trailing `.` or `-` ends the sentence rather than the nickname
 * when no account has it ("thanks @bob."). Matching ignores case; the account's own
 * spelling is kept. An email address (`a@b.org`) is not a mention.
 */
import { LIMITS } from '../../protocol/index.ts';
import type { AccountRecord } from '../core/records.ts';

const MENTION = /(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{1,40})/gu;

export function findMentions(
  text: string,
  accountByNickname: (nickname: string) => AccountRecord | null,
): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    let candidate = match[1] ?? '';
    let account = accountByNickname(candidate);
    while (account === null && /[.-]$/.test(candidate)) {
      candidate = candidate.slice(0, -1);
      account = candidate === '' ? null : accountByNickname(candidate);
    }
    if (account !== null) found.add(account.nickname);
    if (found.size >= LIMITS.maxRoomMentions) break;
  }
  return [...found];
}
