/**
 * What the console needs from the outside (STYLE.md point 6): the staff
 * connection with its chat sessions and offer alerts. The browser's
 * are in browser-console.ts; unit tests pass fakes.
 */
import type { AttachmentPort } from '../files/attach-file.ts';
import type { ServiceToStaff, StaffToService, VisitorSummary } from '$protocol';
import type { SendResult } from '../session/chat-session.ts';
import type { SessionView } from '../session/session-view.ts';

/** F27, SP-U1: where a console's upload of an ended chat stands (helpers only). */
export type ArchiveUploadState =
  { kind: 'saving' } | { kind: 'saved'; stored: boolean } | { kind: 'failed'; message: string };

export type Offer = { chatId: string; expiresAt: number; visitor: VisitorSummary };

/** The part of a ChatSession the console uses. */
export interface ConsoleChatSession extends AttachmentPort {
  readonly chatId: string;
  subscribe(listener: (view: SessionView) => void): () => void;
  send(text: string): SendResult;
  /** A staff note (CHAT.md CH-N4). */
  writeNote(text: string): SendResult;
  setDraft(text: string): void;
  setVisibility(visibility: { pageVisible: boolean; chatOpen: boolean; focused?: boolean }): void;
  setOnScreen(messageId: string, onScreen: boolean): void;
}

export type ConsoleEvents = {
  onMessage: (msg: ServiceToStaff) => void;
  /** Whether the service has welcomed the current connection. */
  onOnline: (online: boolean) => void;
  onSession: (session: ConsoleChatSession) => void;
  /** A chat's session was let go (the chat ended): the tab keeps its last view. */
  onSessionClosed?: (chatId: string) => void;
  /** F27: how the upload of an ended chat this console helped in went (SP-U1). */
  onArchive?: (chatId: string, state: ArchiveUploadState) => void;
};

export interface ConsoleConnection {
  send(msg: StaffToService): boolean;
  close(): Promise<void>;
}

export type Connect = (sessionToken: string, events: ConsoleEvents) => ConsoleConnection;

/** Sound, notification and the like; the browser's is in offer-alerts.ts. */
export interface OfferAlerts {
  offer(offer: Offer): void;
}
