/**
 * The follow-up service on a real SQLite database in a temporary folder, with the real
 * SMTP mailer pointed at a real SMTP server (smtp-sink.ts) and a fake clock: tests
 * move time and call the outbox worker's `runDue()` themselves, so nothing waits on
 * a timer. Chats are written to storage as the switchboard writes them (open, then
 * closed as ended), and the storage hook runs as the gateway runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSessions } from '../../../signal/auth/sessions.ts';
import type { OpenChatRecord } from '../../../signal/core/records.ts';
import { createLogger } from '../../../signal/log.ts';
import { createSmtpMailer, type Mailer } from '../../../signal/mail/mailer.ts';
import type {
  Transcript,
  TranscriptLine,
  TranscriptSource,
} from '../../../signal/mail/transcript-source.ts';
import { databaseFile, openSqliteStorage } from '../../../signal/storage/sqlite-storage.ts';
import {
  createFollowUpService,
  type FollowUpService,
} from '../../../signal/tickets/follow-up-service.ts';

export const START = Date.UTC(2026, 11, 6, 9, 0, 0);

export type MailWorld = {
  clock: { now: number };
  service: FollowUpService;
  /** The archive as the transcript email reads it (F27 fills it from uploads). */
  archive: Map<string, Transcript>;
  endChat(chat: { chatId: string; name: string; email: string | null; helperId?: string }): void;
  close(): Promise<void>;
};

export function chatRecord(chatId: string, name: string, email: string | null, helperId: string) {
  const record: OpenChatRecord = {
    chatId,
    visitor: { visitorId: `v-${chatId}`, firstVisitAt: START, firstLandingPage: '' },
    ip: '127.0.0.1',
    details: {
      name,
      email,
      department: 'general',
      question: 'Where did my bookmarks go?',
      page: { url: 'https://help.example/', title: 'Help' },
      browser: { userAgent: 'test', language: 'en' },
      sessionStartedAt: START,
      landingPage: '',
    },
    enqueuedAt: START,
    returned: false,
    status: 'active',
    startedAt: START,
    rejectedBy: [],
    participants: [
      { id: `v-${chatId}`, role: 'visitor', name, clientIds: [] },
      { id: helperId, role: 'helper', name: 'Vera', clientIds: [] },
    ],
  };
  return record;
}

export function line(
  id: string,
  role: 'visitor' | 'helper',
  author: string,
  body: string,
  at: number,
): TranscriptLine {
  return { id, kind: 'text', role, author, body, at };
}

export function createMailWorld(options: { smtpUrl: string; mailer?: Mailer }): MailWorld {
  const dir = mkdtempSync(join(tmpdir(), 'peerdesk-mail-'));
  const storage = openSqliteStorage(databaseFile(dir));
  const clock = { now: START };
  const archive = new Map<string, Transcript>();
  const transcripts: TranscriptSource = { read: (chatId) => archive.get(chatId) ?? null };
  const service = createFollowUpService({
    database: storage.database,
    storage,
    config: {
      dataDir: dir,
      smtpUrl: options.smtpUrl,
      mailFrom: 'Peerdesk <help@peerdesk.test>',
      trustedProxies: [],
      followUpLinkDays: 30,
      followUpRequestsPerMinute: 60,
    },
    sessions: createSessions(storage, { ttlMs: 3_600_000 }),
    verifyVisitor: () => null,
    origin: () => 'https://chat.peerdesk.test',
    now: () => clock.now,
    logger: createLogger({ level: 'silent' }),
    transcripts,
    mailer: options.mailer ?? createSmtpMailer(options.smtpUrl),
  });
  return {
    clock,
    service,
    archive,
    endChat({ chatId, name, email, helperId = 'a-vera' }) {
      const chat = chatRecord(chatId, name, email, helperId);
      storage.apply({ op: 'open_chat', chat });
      const change = {
        op: 'close_chat' as const,
        chatId,
        outcome: 'ended' as const,
        at: clock.now,
        chat,
      };
      storage.apply(change);
      service.persisted(change);
    },
    async close() {
      await service.close();
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
