/**
 * "Alice joined the chat" / "Alice left the chat" for the visitor (issue 11),
 * derived from the participant list the service sends (view.helpers), never from
 * anything a participant writes: a visitor cannot forge them and they are not in
 * the chat document. Pure, so unit tests replay lists without a browser.
 */
import type { AuthorView, MessageView } from '../session/session-view.ts';

export type HelperNotice = { id: string; text: string; at: number };
export type HelperNotices = {
  /** The helpers in the last list, by participant id → name. */
  present: ReadonlyMap<string, string>;
  notices: readonly HelperNotice[];
};

/**
 * Folds the latest helper list into the notices. On the first list (a chat opening
 * or a reload) each helper present "joined" just before their first message, or now
 * if they have not written yet; later lists add joins and leaves as they happen.
 */
export function trackHelpers(
  previous: HelperNotices | null,
  helpers: readonly AuthorView[],
  messages: readonly MessageView[],
  now: number,
): HelperNotices {
  const present = new Map(helpers.map((h) => [h.id, h.name] as const));
  const notices = [...(previous?.notices ?? [])];
  const before = previous?.present ?? new Map<string, string>();
  for (const [id, name] of present) {
    if (before.has(id)) continue;
    const first = previous === null ? messages.find((m) => m.author?.id === id) : undefined;
    const at = first ? first.at - 1 : now;
    notices.push({ id: `joined-${id}-${at}`, text: `${name || 'A helper'} joined the chat`, at });
  }
  for (const [id, name] of before) {
    if (present.has(id)) continue;
    notices.push({ id: `left-${id}-${now}`, text: `${name || 'A helper'} left the chat`, at: now });
  }
  if (notices.length === (previous?.notices.length ?? 0) && previous !== null) {
    return samePeople(before, present) ? previous : { present, notices: previous.notices };
  }
  return { present, notices: notices.sort((a, b) => a.at - b.at) };
}

function samePeople(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([id, name]) => b.get(id) === name);
}

export type LogEntry =
  | { kind: 'message'; key: string; message: MessageView }
  | { kind: 'notice'; key: string; notice: HelperNotice };

/**
 * Messages in their order, each notice placed before the first message written after it;
 * never before the visitor's opening message. That is their pre-chat question (issue 11),
 * asked before anyone joined, but written to the chat only once it went live, after the
 * helper's list came: "Alice joined the chat" above it read as if they asked after.
 */
export function interleave(
  messages: readonly MessageView[],
  notices: readonly HelperNotice[],
): LogEntry[] {
  const out: LogEntry[] = [];
  let next = 0;
  for (const [i, message] of messages.entries()) {
    const opening = i === 0 && message.mine && message.kind === 'text';
    while (!opening && next < notices.length && notices[next]!.at < message.at) {
      const notice = notices[next++]!;
      out.push({ kind: 'notice', key: notice.id, notice });
    }
    out.push({ kind: 'message', key: message.id, message });
  }
  for (const notice of notices.slice(next)) out.push({ kind: 'notice', key: notice.id, notice });
  return out;
}
