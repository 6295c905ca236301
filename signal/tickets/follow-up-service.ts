/**
 * Puts follow-ups together for the service (server.ts): the ticket and outbox
 * stores on the service's database, the mailer (SMTP over `SMTP_URL`, else `.eml`
 * files in `DATA_DIR/mail`), the outbox worker, the ticket operations and their HTTP
 * routes, and the hook that turns the switchboard's stored changes into tickets
 * (a left message, F7) and transcript emails (an ended chat, F23).
 *
 * Exports: `createFollowUpService(deps)` → `FollowUpService`, `FollowUpServiceDeps`.
 */
import type { Database } from 'better-sqlite3';
import type { Sessions } from '../auth/sessions.ts';
import type { Config } from '../config.ts';
import type { PersistChange } from '../core/records.ts';
import { createClientIpResolver } from '../gateway/client-ip.ts';
import type { ExtraRoutes } from '../http/http-handler.ts';
import { createTicketRoutes } from '../http/tickets/ticket-routes.ts';
import type { Logger } from '../log.ts';
import { createFileMailer, createSmtpMailer, mailFolder, type Mailer } from '../mail/mailer.ts';
import { OutboxStore } from '../mail/outbox-store.ts';
import { createOutboxWorker, type OutboxWorker } from '../mail/outbox-worker.ts';
import type { RetryPolicy } from '../mail/retry-policy.ts';
import { NO_TRANSCRIPTS, type TranscriptSource } from '../mail/transcript-source.ts';
import { exportVisitorData } from '../privacy/visitor-export.ts';
import type { Storage } from '../storage/storage.ts';
import { createFollowUps, type FollowUps, type RoomAlert } from './follow-ups.ts';
import { createTicketMail } from './ticket-mail.ts';
import { TicketStore } from './ticket-store.ts';

export type FollowUpServiceDeps = {
  database: Database;
  storage: Pick<Storage, 'findAccountById'>;
  config: Pick<
    Config,
    | 'dataDir'
    | 'smtpUrl'
    | 'mailFrom'
    | 'trustedProxies'
    | 'followUpLinkDays'
    | 'followUpRequestsPerMinute'
  >;
  sessions: Sessions;
  verifyVisitor(token: string): string | null;
  /** The service's public origin, for the links in emails. */
  origin(): string;
  now(): number;
  logger: Logger;
  /** The archive's transcripts (F27); none until the service has an archive. */
  transcripts?: TranscriptSource;
  alertRoom?: (alert: RoomAlert) => void;
  /** Tests: a mailer of their own, a faster retry policy. */
  mailer?: Mailer;
  retryPolicy?: RetryPolicy;
};

export type FollowUpService = {
  routes: ExtraRoutes;
  followUps: FollowUps;
  outbox: OutboxStore;
  worker: OutboxWorker;
  mailer: Mailer;
  /** Called after storage applied a change the switchboard made. */
  persisted(change: PersistChange): void;
  start(): void;
  close(): Promise<void>;
};

export function createFollowUpService(deps: FollowUpServiceDeps): FollowUpService {
  const store = new TicketStore(deps.database);
  const outbox = new OutboxStore(deps.database);
  const transcripts = deps.transcripts ?? NO_TRANSCRIPTS;
  const mailer =
    deps.mailer ??
    (deps.config.smtpUrl === null
      ? createFileMailer(mailFolder(deps.config.dataDir))
      : createSmtpMailer(deps.config.smtpUrl));
  let worker: OutboxWorker | null = null;
  const mail = createTicketMail({
    store,
    outbox,
    kick: () => worker?.kick(),
    from: deps.config.mailFrom,
    origin: deps.origin,
    now: deps.now,
    log: deps.logger,
  });
  worker = createOutboxWorker({
    store: outbox,
    mailer,
    transcripts,
    buildTranscriptMail: (row, transcript) => mail.buildTranscript(row, transcript),
    from: envelopeAddress(deps.config.mailFrom),
    now: deps.now,
    log: deps.logger,
    ...(deps.retryPolicy === undefined ? {} : { policy: deps.retryPolicy }),
  });
  const followUps = createFollowUps({
    store,
    mail,
    transcripts,
    accountName: (id) => deps.storage.findAccountById(id)?.name ?? null,
    now: deps.now,
    linkLifetimeMs: deps.config.followUpLinkDays * 86_400_000,
    ...(deps.alertRoom === undefined ? {} : { alertRoom: deps.alertRoom }),
  });
  const routes = createTicketRoutes({
    followUps,
    sessions: deps.sessions,
    verifyVisitor: deps.verifyVisitor,
    clientIp: createClientIpResolver(deps.config.trustedProxies),
    now: deps.now,
    visitorPerIpPerMinute: deps.config.followUpRequestsPerMinute,
    exportVisitor: (visitorId) =>
      exportVisitorData(deps.database, visitorId, transcripts, deps.now()),
  });
  const running = worker;
  return {
    routes,
    followUps,
    outbox,
    worker: running,
    mailer,
    persisted(change) {
      try {
        if (change.op === 'left_message') followUps.leftMessage(change.message);
        else if (change.op === 'close_chat' && change.outcome === 'ended') {
          followUps.chatEnded(change.chatId);
        }
      } catch (error) {
        deps.logger.error({ err: error, op: change.op }, 'follow-up bookkeeping failed');
      }
    },
    start() {
      const found = running.recover();
      if (found > 0) {
        deps.logger.warn(
          { emails: found, resent: mailer.idempotent },
          mailer.idempotent
            ? 'emails interrupted by a stop are sent again (file mailer)'
            : 'emails interrupted mid-send are marked uncertain and not sent again',
        );
      }
      deps.logger.info({ mail: mailer.describe }, 'mail outbox started');
      running.start();
    },
    async close() {
      await running.stop();
      mailer.close();
    },
  };
}

/** The bare address of `Name <address>` (or the whole text when it is one). */
function envelopeAddress(from: string): string {
  const match = /<([^<>\s]+)>\s*$/.exec(from);
  return match?.[1] ?? from.trim();
}
