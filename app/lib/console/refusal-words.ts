/**
 * What a peer did, in a person's words, when its bytes were refused (CHAT.md CH-C9):
 * the console's notice and the monitors' security events say this, and keep the
 * code beside it for whoever digs further. The technical text of each code stays in
 * protocol/chat-doc/chat-errors.ts; the record is over every code, so a new one
 * cannot go unworded.
 */
import type { ChatErrorCode } from '$protocol';

const UNREADABLE = 'sent data that could not be read';
const TOO_MUCH = 'sent more data than allowed';
const NOT_ALLOWED = 'wrote something the chat does not allow';

const WORDS: Record<ChatErrorCode, string> = {
  foreign_struct: 'wrote in someone else’s name',
  foreign_delete: 'tried to delete what someone else wrote',
  foreign_origin: 'tried to change what someone else wrote',
  foreign_awareness: 'spoke for someone else',
  seq_ahead: 'tried to put a message out of order',
  read_only: 'wrote where it may only read',
  not_writable: 'wrote where it may only read',
  unknown_sender: 'is not in this chat',
  forbidden_location: NOT_ALLOWED,
  forbidden_content: NOT_ALLOWED,
  invalid_entry: NOT_ALLOWED,
  message_too_long: 'sent a message that is too long',
  update_too_large: TOO_MUCH,
  doc_too_large: TOO_MUCH,
  frame_too_large: TOO_MUCH,
  wire_message_too_large: TOO_MUCH,
  too_many_partials: TOO_MUCH,
  undecodable: UNREADABLE,
  apply_failed: UNREADABLE,
  bad_awareness: UNREADABLE,
  bad_frame: UNREADABLE,
  chunk_out_of_order: UNREADABLE,
  reassembly_timeout: UNREADABLE,
  unknown_message: UNREADABLE,
  bad_state_vector: UNREADABLE,
};

export function refusalInWords(code: ChatErrorCode): string {
  return WORDS[code];
}
