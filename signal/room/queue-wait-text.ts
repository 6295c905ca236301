/**
 * SP-CR9: the words of the queue-wait alert. The visitor's name is theirs to choose, so
 * it is quoted and cut, and an `@` in it is not taken for a mention of a helper.
 */
import type { RoomAlert } from './contributors-room.ts';

export function queueWaitAlert(wait: {
  visitorName: string;
  departmentName: string | null;
  waitedMs: number;
}): RoomAlert {
  const seconds = Math.max(1, Math.round(wait.waitedMs / 1000));
  const waited = seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
  const name = wait.visitorName.replaceAll('@', '＠').slice(0, 60);
  const where = wait.departmentName === null ? '' : ` (${wait.departmentName})`;
  return {
    text: `A visitor, “${name}”, has waited ${waited} in the queue${where} and nobody has taken the chat yet. Can someone switch on “Available for chats”?`,
  };
}
