/**
 * The one place chats are mapped to and from their stored records (SPEC.md SP-B1, SP-P4):
 * `toRecord` for every `open_chat` / `close_chat` change the core persists, and
 * `fromRecord` when the switchboard restores a snapshot after a restart. Offers and
 * invitations are never stored: a restored chat is queued without an offer, or active
 * without invitations.
 */
import type { OpenChatRecord, ParticipantRecord } from './records.ts';
import type { ChatState, ParticipantState } from './state.ts';

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
  return new Map(
    records.map((p) => [
      p.id,
      {
        id: p.id,
        role: p.role,
        name: p.name,
        clientIds: [...p.clientIds],
        ...(p.keys !== undefined && p.keys.length > 0
          ? { keys: p.keys.map((k) => ({ ...k })) }
          : {}),
      },
    ]),
  );
}

export function fromRecord(r: OpenChatRecord): ChatState {
  const common = {
    chatId: r.chatId,
    visitor: r.visitor,
    ip: r.ip,
    details: r.details,
    enqueuedAt: r.enqueuedAt,
    returned: r.returned,
    rejectedBy: new Set(r.rejectedBy),
    participants: participantMap(r.participants.filter((p) => p.left !== true)),
    former: participantMap(r.participants.filter((p) => p.left === true)),
  };
  if (r.status === 'active' && r.startedAt !== null) {
    return { ...common, status: 'active', startedAt: r.startedAt, invitations: new Map() };
  }
  return {
    ...common,
    status: 'queued',
    told: null,
    visitorState: null,
    offer: null,
    startedAt: r.startedAt,
  };
}
