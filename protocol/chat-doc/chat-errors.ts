/**
 * Why a peer's bytes were refused, or a local write was not made (protocol/CHAT.md).
 * One table, like protocol/errors.ts: receivers log the code, the console shows the
 * message. Every refusal of incoming bytes ends the link to that peer (CHAT.md CH-C9).
 */
export const CHAT_ERRORS = {
  // Yjs updates (permission filter, CHAT.md CH-A1–CH-A9).
  undecodable: 'The update could not be decoded.',
  update_too_large: 'The update is larger than allowed.',
  doc_too_large: 'The chat document would grow past its size limit.',
  read_only: 'This participant may not write to the chat.',
  unknown_sender: 'The sender is not a participant of this chat.',
  foreign_struct: 'The update writes under a Yjs client id the sender does not own.',
  foreign_delete: 'The update deletes content the sender does not own.',
  foreign_origin: 'The update overwrites content the sender does not own.',
  forbidden_location: 'The update writes where the sender may not.',
  forbidden_content: 'The update carries a kind of content the sender may not write.',
  invalid_entry: 'The update carries an entry that breaks the chat schema.',
  apply_failed: 'The update could not be applied.',
  seq_ahead: 'The update numbers a message ahead of the conversation it could have seen.',
  // Awareness (CHAT.md CH-W1–CH-W4).
  bad_awareness: 'The presence update could not be read.',
  foreign_awareness: 'The presence update speaks for someone else.',
  // Data-channel wire format (CHAT.md CH-D1–CH-D12).
  bad_frame: 'The frame could not be read.',
  frame_too_large: 'The frame is larger than 16 KiB.',
  wire_message_too_large: 'The message is larger than allowed.',
  chunk_out_of_order: 'A chunk arrived out of order.',
  too_many_partials: 'Too many messages were being reassembled at once.',
  reassembly_timeout: 'A chunked message was not completed in time.',
  unknown_message: 'This kind of message is not known.',
  bad_state_vector: 'The state vector could not be read.',
  // Local writes through the chat document helpers.
  message_too_long: 'The message is too long.',
  not_writable: 'This participant may not write to the chat.',
} as const;

export type ChatErrorCode = keyof typeof CHAT_ERRORS;

export const CHAT_ERROR_CODES = Object.keys(CHAT_ERRORS) as [ChatErrorCode, ...ChatErrorCode[]];

/** A coded refusal: what the filter, the wire decoder and the write helpers return. */
export type Refusal = { ok: false; code: ChatErrorCode; detail: string };

export type Verdict = { ok: true } | Refusal;

export function refuse(code: ChatErrorCode, detail: string): Refusal {
  return { ok: false, code, detail };
}

export function chatErrorMessage(code: ChatErrorCode): string {
  return CHAT_ERRORS[code];
}
