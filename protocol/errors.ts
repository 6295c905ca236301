/**
 * Every error the service can report, with the message people see and, where the
 * error ends the connection, the WebSocket close code (4000 range, SPEC.md SP-E1).
 * One table: the service, the console and the widget all read it.
 */
export const ERRORS = {
  bad_frame: { message: 'The message could not be read.', close: null },
  frame_too_large: { message: 'The message is too large.', close: 4009 },
  unknown_type: { message: 'This kind of message is not known.', close: null },
  bad_version: {
    message: 'This version of Peerdesk is not supported; please reload.',
    close: 4002,
  },
  hello_required: { message: 'Say hello first.', close: 4003 },
  already_hello: { message: 'Hello was already said on this connection.', close: null },
  unauthorized: { message: 'Please sign in again.', close: 4001 },
  forbidden: { message: 'You are not allowed to do that.', close: null },
  bad_origin: { message: 'This site may not connect to Peerdesk.', close: 4004 },
  rate_limited: { message: 'Too many messages; slow down.', close: null },
  flood: { message: 'Too many messages; the connection was closed.', close: 4008 },
  backpressure: { message: 'The connection could not keep up and was closed.', close: 4010 },
  blocked: { message: 'You have been blocked from chatting.', close: 4005 },
  unknown_department: { message: 'That department does not exist.', close: null },
  department_closed: { message: 'That department is closed right now.', close: null },
  already_requested: { message: 'You already have a chat request or chat open.', close: null },
  no_request: { message: 'There is no chat request to cancel.', close: null },
  unknown_chat: { message: 'That chat does not exist or has ended.', close: null },
  not_offered: { message: 'That chat is not offered to you (it may have expired).', close: null },
  offer_conflict: { message: 'Someone else took that chat first.', close: null },
  at_chat_limit: { message: 'You are at your chat limit.', close: null },
  chat_limit_out_of_range: {
    message: 'That chat limit is outside the allowed range.',
    close: null,
  },
  not_participant: { message: 'You are not a participant of that chat.', close: null },
  unknown_helper: { message: 'No helper has that nickname.', close: null },
  helper_offline: { message: 'That helper is not signed in.', close: null },
  already_participant: { message: 'That helper is already in the chat.', close: null },
  no_invitation: { message: 'There is no invitation for that chat.', close: null },
  relay_refused: { message: 'Signals go only between participants of the same chat.', close: null },
  client_id_taken: { message: 'That Yjs client id is bound to someone else.', close: null },
  too_many_client_ids: { message: 'Too many Yjs client ids for one participant.', close: null },
  replaced: { message: 'This session was opened somewhere else.', close: 4006 },
  shutting_down: { message: 'The service is restarting; reconnecting shortly.', close: 1012 },
  server_full: {
    message: 'The service has all the connections it can take; try again in a moment.',
    close: 1013,
  },
  too_many_tags: { message: 'This chat has as many tags as it can take.', close: null },
  internal: { message: 'Something went wrong on our side.', close: 1011 },
  // The Contributors room (SPEC.md SP-CR1–SP-CR9).
  room_not_joined: { message: 'Join the Contributors room first.', close: null },
  room_message_too_long: {
    message: 'That room message is too long (at most 2000 characters).',
    close: null,
  },
  room_message_empty: { message: 'A room message needs some text.', close: null },
  room_rate_limited: {
    message: 'You are writing to the room too fast; wait a moment.',
    close: null,
  },
  // Canned responses (SPEC.md SP-CN1–SP-CN6).
  unknown_response: { message: 'That canned response does not exist.', close: null },
  unknown_suggestion: {
    message: 'That suggestion does not exist or was already decided.',
    close: null,
  },
  too_many_responses: { message: 'You have as many canned responses as allowed.', close: null },
  // Administration (HTTP admin API, SPEC.md SP-A1–SP-A9).
  account_locked: {
    message: 'Too many wrong passwords for this account; try again later.',
    close: null,
  },
  last_admin: { message: 'The last admin cannot be disabled or demoted.', close: null },
  nickname_taken: { message: 'That nickname is taken.', close: null },
  weak_password: { message: 'Passwords need at least 8 characters.', close: null },
  unknown_account: { message: 'That account does not exist.', close: null },
  unknown_block: { message: 'That block does not exist or has ended.', close: null },
  link_expired: { message: 'That link has expired or was already used.', close: null },
  invalid_setting: { message: 'That setting value is not valid.', close: null },
  not_trainee: { message: 'Only trainees can be promoted that way.', close: null },
  department_exists: { message: 'A department with that id exists already.', close: null },
  last_department: { message: 'The last department cannot be retired.', close: null },
  // The transcript archive and the survey (SPEC.md SP-U1–SP-U10).
  chat_not_ended: { message: 'That chat has not ended yet.', close: null },
  already_archived: { message: 'That chat is archived already.', close: null },
  archive_too_large: {
    message: 'The transcript is larger than the archive accepts.',
    close: null,
  },
  forged_authorship: {
    message: 'The transcript carries lines their authors could not have written.',
    close: null,
  },
  undecodable_transcript: { message: 'The transcript could not be read.', close: null },
  unknown_transcript: { message: 'There is no archived transcript of that chat.', close: null },
  already_rated: { message: 'This chat has been rated already.', close: null },
  // Tickets and follow-ups (SPEC.md SP-TK1–SP-TK9).
  unknown_ticket: { message: 'That ticket does not exist.', close: null },
  email_required: {
    message: "The visitor's email is needed first: ask them for it, then try again.",
    close: null,
  },
  follow_up_revoked: {
    message: 'This follow-up link no longer works. Ask the team for a new one.',
    close: null,
  },
  ticket_closed: { message: 'This ticket is closed.', close: null },
  follow_up_expired: {
    message: 'This follow-up link has expired. The newest email from the team has one that works.',
    close: null,
  },
  // Privacy controls (SPEC.md SP-PV1–SP-PV3).
  visitor_chatting: {
    message: 'This visitor is in a chat right now: forget them once it has ended.',
    close: null,
  },
} as const satisfies Record<string, { message: string; close: number | null }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function errorMessage(code: ErrorCode): string {
  return ERRORS[code].message;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERRORS, value);
}
