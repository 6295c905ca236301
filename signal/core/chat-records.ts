/**
 * The one place chats are mapped to and from their stored records (SPEC.md SP-B1, SP-P4):
 * `toRecord` for every `open_chat` / `close_chat` change the core persists, and
 * `fromRecord` when the switchboard restores a snapshot after a restart. Offers and
 * invitations are never stored: a restored chat is queued without an offer, or active
 * without invitations.
 */
import type { OpenChatRecord, ParticipantRecord } from './records.ts';
import type { ChatCommon, ChatState, ParticipantState } from './state.ts';
import { activeChat, emptyMap, emptySet, queuedChat } from './state.ts';

export function toRecord(chat: ChatState): OpenChatRecord {
  return {
    chatId: chat.chatId,
    visitor: chat.visitor,
    ip: chat.ip,
    details: chat.details,
    enqueuedAt: chat.enqueuedAt,
    returned: chat.returned,
    status: chat.status,
    startedAt: chat.startedAt,
    rejectedBy: [...chat.rejectedBy],
    participants: [
      ...[...chat.participants.values()].map((p) => ({ ...p, clientIds: [...p.clientIds] })),
      // SP-P4: kept so that a restart cannot free a departed participant's client ids.
      ...[...chat.former.values()].map((p) => ({
        ...p,
        clientIds: [...p.clientIds],
        left: true as const,
      })),
    ],
  };
}

function participantMap(records: readonly ParticipantRecord[]): Map<string, ParticipantState> {
  return new Map(records.map((p) => [p.id, participantOf(p)]));
}

/** Field by field, as `admitParticipant` builds one: one hidden class for participants. */
function participantOf(r: ParticipantRecord): ParticipantState {
  const p: ParticipantState = { id: r.id, role: r.role, name: r.name, clientIds: [...r.clientIds] };
  if (r.keys !== undefined && r.keys.length > 0) p.keys = r.keys.map((k) => ({ ...k }));
  return p;
}

export function fromRecord(r: OpenChatRecord): ChatState {
  const left = r.participants.filter((p) => p.left === true);
  const common: ChatCommon = {
    chatId: r.chatId,
    visitor: r.visitor,
    ip: r.ip,
    details: r.details,
    enqueuedAt: r.enqueuedAt,
    returned: r.returned,
    rejectedBy: r.rejectedBy.length === 0 ? emptySet() : new Set(r.rejectedBy),
    former: left.length === 0 ? emptyMap() : participantMap(left),
  };
  const participants = participantMap(r.participants.filter((p) => p.left !== true));
  if (r.status === 'active' && r.startedAt !== null) {
    return activeChat(common, r.startedAt, participants);
  }
  return queuedChat(common, r.returned, r.startedAt, participants);
}
