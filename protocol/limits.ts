/** Every bound the protocol enforces, in one place, shared by both sides. */
export const LIMITS = {
  /** Largest WebSocket frame the service accepts (SPEC.md F1). SDP offers with many
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
  maxLabelLength: 100,
  maxNicknameLength: 40,
  maxPasswordLength: 200,
  maxIdLength: 64,
  maxTokenLength: 1024,
  maxDepartmentsPerHello: 100,
  maxChatsPerRejoin: 50,
  /** Upper bound of any per-helper chat limit an admin may configure. */
  maxChatLimitCeiling: 50,
} as const;
