/**
 * What the switchboard keeps across a restart (B1), as plain records. The core
 * emits `persist` effects carrying these; storage writes them; at start the
 * service loads them back into a `Snapshot`.
 */
import type { AccountRole, BrowserDetails, ChatRole, PageView } from '../../protocol/index.ts';

export type AccountRecord = {
  id: string;
  nickname: string;
  name: string;
  role: AccountRole;
  chatLimit: number;
};

export type DepartmentRecord = { id: string; name: string; open: boolean };

export type VisitorIdentity = {
  visitorId: string;
  firstVisitAt: number;
  firstLandingPage: string;
};

export type RequestDetails = {
  name: string;
  email: string | null;
  department: string;
  question: string;
  page: PageView;
  browser: BrowserDetails;
  sessionStartedAt: number;
  landingPage: string;
  /** SP-PN2: when the visitor acknowledged the privacy notice; absent when they did not. */
  privacyAcknowledgedAt?: number;
};

export type ParticipantRecord = {
  id: string;
  role: ChatRole;
  name: string;
  clientIds: number[];
  /** Set on a participant who left: their client ids stay bound to them (SPEC.md SP-P4). */
  left?: true;
  /** SP-P6: public signing keys bound with client ids. */
  keys?: { clientId: number; alg: 'Ed25519' | 'ECDSA-P256'; key: string }[];
};

/** A chat the service still has to route or track: queued, offered or active.
 * Offers are not persisted as such; after a restart an offered chat is queued. */
export type OpenChatRecord = {
  chatId: string;
  visitor: VisitorIdentity;
  ip: string;
  details: RequestDetails;
  /** When the visitor first joined the queue; the queue is ordered by it (SP-Q1). */
  enqueuedAt: number;
  /** Chats returned to the queue (B3) go before new ones (SP-Q2). */
  returned: boolean;
  status: 'queued' | 'active';
  startedAt: number | null;
  /** Helpers who rejected or let an offer of this chat expire (SP-O3). */
  rejectedBy: string[];
  participants: ParticipantRecord[];
};

export type ChatOutcome = 'cancelled' | 'left_message' | 'blocked' | 'ended';

export type BlockRecord = {
  id: string;
  visitorId: string;
  /** Set when the helper also blocked the visitor's IP. */
  ip: string | null;
  reason: string;
  by: string;
  createdAt: number;
  until: number;
  chatId: string | null;
};

export type LeftMessageRecord = {
  id: string;
  visitorId: string;
  ip: string;
  name: string;
  email: string | null;
  department: string;
  message: string;
  chatId: string | null;
  createdAt: number;
};

export type Snapshot = {
  accounts: AccountRecord[];
  departments: DepartmentRecord[];
  blocks: BlockRecord[];
  openChats: OpenChatRecord[];
  /** Helpers limited to some departments (SP-A3); absent or empty lists mean all. */
  helperDepartments?: Record<string, string[]>;
  /** Tags and labels of open chats (SPEC.md SP-K5); absent means none. */
  chatMeta?: Record<string, ChatMetaRecord>;
};

/** What staff said about a chat (SP-K1): its tags and its label ('' for none). */
export type ChatMetaRecord = { tags: string[]; label: string };

/** A change the core asks storage to make. Applied in order, each idempotent. */
export type PersistChange =
  | { op: 'open_chat'; chat: OpenChatRecord }
  | { op: 'close_chat'; chatId: string; outcome: ChatOutcome; at: number; chat: OpenChatRecord }
  | { op: 'block'; block: BlockRecord }
  | { op: 'left_message'; message: LeftMessageRecord }
  | { op: 'account'; account: AccountRecord }
  /** SP-K5: a chat's tags and label after a change; `chatAt` (when its visitor asked)
   * dates its tags in the statistics (SP-K6). */
  | { op: 'chat_meta'; chatId: string; chatAt: number; at: number; meta: ChatMetaRecord };
