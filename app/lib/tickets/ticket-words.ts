/**
 * How the console and the follow-up page word tickets (F7, F25, F26): statuses,
 * where a ticket came from, and the visitor-facing text of each follow-up error code
 * (SP-TK3, SP-TK5, SP-TK9), so every screen says the same thing.
 *
 * Exports: `STATUS_TEXT`, `SOURCE_TEXT`, `followUpProblem(code, message)`.
 */
import type { TicketStatus } from '$protocol';

export const STATUS_TEXT: Record<TicketStatus, string> = {
  open: 'Open',
  answered: 'Answered',
  closed: 'Closed',
};

export const SOURCE_TEXT = {
  left_message: 'Message left',
  chat: 'Follow-up of a chat',
} as const;

/** What the visitor's follow-up page says for each refusal, with what to do next. */
export function followUpProblem(code: string, fallback: string): string {
  switch (code) {
    case 'unknown_ticket':
      return 'This follow-up link does not work. Check that you opened the whole link from the email or the chat window.';
    case 'follow_up_revoked':
      return 'This follow-up link was withdrawn by the support team. The newest email from us has a link that works; or start a new chat.';
    case 'follow_up_expired':
      return 'This follow-up link has expired. The newest email from the support team has a link that works; or start a new chat.';
    case 'ticket_closed':
      return 'This conversation is closed, so it takes no more replies. Start a new chat if you still need help.';
    case 'rate_limited':
      return 'Too many tries from your network in a short time. Wait a minute, then try again.';
    case 'bad_frame':
      return 'Write something first (at most 5000 characters).';
    default:
      return fallback;
  }
}
