/**
 * A SessionView for console tests from a list of message views (partial: the fields a
 * test cares about), with the count, window and summary a built view has, counted by
 * the same rules (app/lib/session/message-views.ts).
 */
import type { MessageView, SessionView } from '../../../app/lib/session/session-view.ts';
import { emptySummary, tally } from '../../../app/lib/session/message-views.ts';

type Partial = { kind?: string; at?: number; mine?: boolean; author?: { role?: string } | null };

export function viewOfMessages(messages: object[], rest: object = {}): SessionView {
  const summary = emptySummary();
  for (const m of messages as Partial[]) {
    tally(
      summary,
      (m.kind ?? 'text') as MessageView['kind'],
      m.at ?? 0,
      m.author?.role === 'visitor',
      m.mine ?? false,
    );
  }
  return {
    messages,
    messageCount: messages.length,
    messagesBetween: (from: number, to?: number) => messages.slice(from, to),
    messageSummary: summary,
    writers: [],
    ...rest,
  } as unknown as SessionView;
}
