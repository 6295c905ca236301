/** Messages the service sends to both visitors and staff, and the relay message
 * both send. Direction-specific unions in visitor-messages.ts / staff-messages.ts
 * include these. */
import * as v from 'valibot';
import { CHAT_ERROR_CODES } from './chat-doc/chat-errors.ts';
import { ERROR_CODES } from './errors.ts';
import { ChatId, ChatRole, ClientId, Id, Name, ParticipantId, Timestamp } from './primitives.ts';
import { SignalData } from './signal-data.ts';

/** A client asks the relay to pass `data` to participant `to` of `chatId`. */
export const SignalOut = v.strictObject({
  type: v.literal('signal'),
  chatId: ChatId,
  to: ParticipantId,
  /** Names one attempt at a link, so late signals of an old attempt are ignored. */
  link: Id,
  data: SignalData,
});

/** The relay delivers a signal; `from` is stamped by the service (SPEC.md SP-R2). */
export const SignalIn = v.strictObject({
  type: v.literal('signal'),
  chatId: ChatId,
  from: ParticipantId,
  link: Id,
  data: SignalData,
});

/** Binds a Yjs client id of the sender's document to the sender in a chat (SPEC.md SP-P2). */
export const Bind = v.strictObject({ type: v.literal('bind'), chatId: ChatId, clientId: ClientId });

/**
 * A peer's replica dropped another participant for bytes that break the chat rules
 * (CHAT.md CH-C9). The service counts it and tells the room's monitors (SPEC.md SP-P5); it
 * never sees the bytes themselves.
 */
export const PeerRefused = v.strictObject({
  type: v.literal('peer_refused'),
  chatId: ChatId,
  peer: ParticipantId,
  code: v.picklist(CHAT_ERROR_CODES),
});

/** Raw public key lengths in base64url without padding: 32 bytes, and 65 (uncompressed point). */
const KEY_CHARS = { Ed25519: 43, 'ECDSA-P256': 87 } as const;

/** A staff session's public signing key (SPEC.md SP-P6, CHAT.md CH-V1): the algorithm and the
 * raw public key, base64url. Strict and exactly sized per algorithm. */
export const SigningKey = v.pipe(
  v.strictObject({
    alg: v.picklist(['Ed25519', 'ECDSA-P256']),
    key: v.pipe(v.string(), v.maxLength(87), v.regex(/^[A-Za-z0-9_-]+$/)),
  }),
  v.check((k) => k.key.length === KEY_CHARS[k.alg], 'key length does not match its algorithm'),
);
export type SigningKey = v.InferOutput<typeof SigningKey>;

/** SP-P6: staff bind a client id with the public key that signs what they write under it. */
export const StaffBind = v.strictObject({
  type: v.literal('bind'),
  chatId: ChatId,
  clientId: ClientId,
  key: v.optional(SigningKey),
});

/** A signing key as announced: the client id it was bound with (SP-P6). */
export const BoundKey = v.strictObject({
  clientId: ClientId,
  alg: v.picklist(['Ed25519', 'ECDSA-P256']),
  key: v.pipe(v.string(), v.maxLength(87), v.regex(/^[A-Za-z0-9_-]+$/)),
});
export type BoundKey = v.InferOutput<typeof BoundKey>;
const BoundKeys = v.optional(v.pipe(v.array(BoundKey), v.maxLength(64)));

export const Participant = v.strictObject({
  id: ParticipantId,
  role: ChatRole,
  name: Name,
  clientIds: v.pipe(v.array(ClientId), v.maxLength(64)),
  /** SP-P6: the public keys bound with the client ids (staff only). */
  keys: BoundKeys,
  /** False while the participant's socket is gone (grace period or service restart). */
  online: v.boolean(),
});
export type Participant = v.InferOutput<typeof Participant>;

/** Someone who was in the chat and left: their client ids stay bound to them (SPEC.md SP-P4). */
export const FormerParticipant = v.strictObject({
  id: ParticipantId,
  role: ChatRole,
  name: Name,
  clientIds: v.pipe(v.array(ClientId), v.maxLength(64)),
  keys: BoundKeys,
});
export type FormerParticipant = v.InferOutput<typeof FormerParticipant>;

export const Participants = v.strictObject({
  type: v.literal('participants'),
  chatId: ChatId,
  /** The receiver's own participant id in this chat. */
  self: ParticipantId,
  participants: v.pipe(v.array(Participant), v.maxLength(64)),
  /** Who left, with the ids they wrote under: authors of their lines, with no rights now. */
  former: v.optional(v.pipe(v.array(FormerParticipant), v.maxLength(64))),
});

export const ChatEnded = v.strictObject({
  type: v.literal('ended'),
  chatId: ChatId,
  by: v.picklist(['visitor', 'helper', 'service']),
  at: Timestamp,
});

export const ErrorMessage = v.strictObject({
  type: v.literal('error'),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  /** The `type` of the message that caused the error, when known. */
  ref: v.optional(v.pipe(v.string(), v.maxLength(40))),
  chatId: v.optional(ChatId),
});

export const IceServer = v.strictObject({
  urls: v.union([v.string(), v.array(v.string())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});
export type IceServer = v.InferOutput<typeof IceServer>;

export const Department = v.strictObject({ id: Id, name: Name, open: v.boolean() });
export type Department = v.InferOutput<typeof Department>;
