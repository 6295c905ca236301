/** Every bound the protocol enforces, in one place, shared by both sides. */
export const LIMITS = {
  /** Largest WebSocket frame the service accepts (SPEC.md SP-W2). SDP offers with many
   * candidates stay well under this; anything bigger is an abuse. */
  maxFrameBytes: 64 * 1024,
  /** Largest SDP blob relayed (offer or answer). */
  maxSdpBytes: 32 * 1024,
  maxCandidateBytes: 2 * 1024,
  maxNameLength: 80,
  maxEmailLength: 254,
  maxQuestionLength: 2000,
  maxUrlLength: 2048,
  maxTitleLength: 300,
  maxUserAgentLength: 512,
  maxLanguageLength: 35,
  maxReasonLength: 500,
  maxLeftMessageLength: 5000,
  /** A visitor's reply or a helper's answer on a ticket (SPEC.md SP-TK5). */
  maxTicketMessageLength: 5000,
  /** A ticket's subject: the question or the left message's start. */
  maxTicketSubjectLength: 200,
  maxLabelLength: 100,
  /** Characters of one chat tag (SPEC.md SP-K2). */
  maxTagLength: 32,
  /** Tags one chat may carry (SP-K2). */
  maxTagsPerChat: 12,
  /** Tags listed as the team's own suggestions (SP-K7). */
  maxUsedTags: 200,
  maxNicknameLength: 40,
  maxPasswordLength: 200,
  maxIdLength: 64,
  maxTokenLength: 1024,
  maxDepartmentsPerHello: 100,
  /** Departments an admin may create, and a helper may be limited to (SP-A5). */
  maxDepartments: 100,
  /** Characters of one setting's value (ICE_SERVERS is the longest, SP-A7). */
  maxSettingLength: 8 * 1024,
  maxChatsPerRejoin: 50,
  /** Upper bound of any per-helper chat limit an admin may configure. */
  maxChatLimitCeiling: 50,
  /** Helper or monitor names listed per chat on the monitors' board (SP-M4). */
  maxBoardNames: 8,
  /** Chats or staff rows per board frame (SP-M4): a worst-case row, tags and label
   * included (SP-K4), is under 2.4 KB, so a frame stays under maxFrameBytes, which the
   * console's decoder enforces too (tests/unit/protocol/chat-meta.test.ts). */
  maxBoardRowsPerFrame: 24,
  // The chat document and its data channels (protocol/CHAT.md).
  /** Characters in one chat message body (text, page note, attachment caption). */
  maxChatMessageLength: 5000,
  /** Bytes of one incremental Yjs update (sync `update`): one local transaction. A
   * message of maxChatMessageLength characters of 4-byte UTF-8 encodes under 21 KB. */
  maxChatUpdateBytes: 64 * 1024,
  /** Bytes of the whole chat document (its state as one update). A sync step 2 may
   * carry all of it; 8 MiB holds tens of thousands of messages. */
  maxChatDocBytes: 8 * 1024 * 1024,
  /** Bytes of one awareness update: a draft of maxChatMessageLength characters, JSON. */
  maxAwarenessUpdateBytes: 24 * 1024,
  /** Bytes of one data-channel frame, header included: SCTP messages above 16 KiB
   * are not interoperable across browsers. */
  maxChatFrameBytes: 16 * 1024,
  /** Bytes of one reassembled data-channel message (a step 2 carries a whole document). */
  maxChatWireMessageBytes: 8 * 1024 * 1024 + 1024,
  /** Default size cap of one attachment (F13, CHAT.md CH-X2); a deployment may set a lower
   * or higher cap up to attachmentBytesCeiling. */
  defaultAttachmentBytes: 10 * 1024 * 1024,
  /** What the chat schema accepts as an attachment's size, whatever the setting. */
  attachmentBytesCeiling: 100 * 1024 * 1024,
  /** Messages being reassembled at once on one link. */
  maxPartialWireMessages: 4,
  /** Frames of other messages a partial message may wait through before it is dropped:
   * the timeout of reassembly, counted in frames, not in time. */
  maxReassemblyWaitFrames: 1024,
  // The Contributors room (SPEC.md SP-CR1–SP-CR9).
  /** Characters of one room message (SP-CR8: longer ones get `room_message_too_long`). */
  maxRoomMessageLength: 2000,
  /** Distinct `@nickname` mentions kept per message. */
  maxRoomMentions: 20,
  /** Messages in one room frame (a catch-up or a page of history); the service also
   * keeps each frame under `roomFrameBudget` characters, well under maxFrameBytes. */
  maxRoomPage: 100,
  roomFrameBudget: 48 * 1024,
  /** Members named in one frame; `memberCount` tells the rest. */
  maxRoomMembersListed: 200,
  /** A console further behind than this many messages starts again from the latest page. */
  maxRoomCatchUp: 1000,
  // Canned responses (SPEC.md SP-CN1–SP-CN6).
  maxCannedTitleLength: 120,
  /** A body fits in one chat message once its placeholders are filled. */
  maxCannedBodyLength: 4000,
  /** Personal responses per account, and pending suggestions per account. */
  maxPersonalCanned: 200,
  maxPendingSuggestions: 20,
} as const;
