/**
 * Wires the service together: config → storage (SQLite in DATA_DIR) → first-start
 * seeding → admin settings over the environment (SP-A7) → snapshot → switchboard →
 * gateway → HTTP handler with the admin API → transport. Nothing here
 * is module-level state: two services can run in one process (the tests do).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ensureAdmin, ensureDefaultDepartment, seedDemo } from './auth/accounts.ts';
import type { ScryptParams } from './auth/passwords.ts';
import { createSessions } from './auth/sessions.ts';
import {
  createVisitorTokens,
  loadVisitorTokenKey,
  newVisitorIdentity,
} from './auth/visitor-token.ts';
import { privacyNoticeOf, toCoreConfig, type Config } from './config.ts';
import type { CoreConfig, IdSource } from './core/events.ts';
import { createSwitchboard } from './core/switchboard.ts';
import type { ConnectionRole } from './gateway/connection.ts';
import { createGateway } from './gateway/gateway.ts';
import { createLiveSettings, type LiveConfig } from './admin/live-settings.ts';
import { createSignInLockout } from './auth/sign-in-lockout.ts';
import { createOriginPolicy, type OriginPolicy } from './gateway/origin-policy.ts';
import { createAdminApi } from './http/admin/admin-api.ts';
import { combineRoutes, createHttpHandler, MAX_HTTP_BODY_BYTES } from './http/http-handler.ts';
import { createTranscriptArchive } from './archive/transcript-archive.ts';
import { SWEEP_EVERY_MS, startArchiveSweep } from './archive/archive-sweep.ts';
import { createArchiveRoutes } from './http/archive-routes.ts';
import { ArchiveStore } from './storage/archive-store.ts';
import { iceServersFor } from './http/ice-servers.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { loadStaticFiles } from './http/static-files.ts';
import { createLogger, type Logger } from './log.ts';
import { AdminStore } from './storage/admin-store.ts';
import { eraseMailFiles } from './privacy/mail-file-erasure.ts';
import { eraseVisitor } from './privacy/visitor-erasure.ts';
import { sweepRetention } from './privacy/retention-sweep.ts';
import { RoomStore } from './storage/room-store.ts';
import { CannedStore } from './storage/canned-store.ts';
import { seedStarterResponses } from './canned/starter-responses.ts';
import { createContributorsRoom, type ContributorsRoom } from './room/contributors-room.ts';
import { queueWaitAlert } from './room/queue-wait-text.ts';
import { databaseFile, openSqliteStorage } from './storage/sqlite-storage.ts';
import { toAccountRecord } from './storage/storage.ts';
import type { Storage } from './storage/storage.ts';
import type { HttpRequest, TransportFactory } from './transport/transport.ts';
import { describeTransport, loadUwsNative } from './transport/uws-native.ts';
import { createUwsTransport } from './transport/uws-transport.ts';
import { createWsTransport } from './transport/ws-transport.ts';
import { mailFolder, type Mailer } from './mail/mailer.ts';
import type { RetryPolicy } from './mail/retry-policy.ts';
import type { TranscriptSource } from './mail/transcript-source.ts';
import { createFollowUpService } from './tickets/follow-up-service.ts';
import { archiveTranscripts } from './mail/archive-transcripts.ts';

export type ServerOptions = {
  logger?: Logger;
  /** The clock; tests may pass their own. */
  now?: () => number;
  /** Lower scrypt cost for tests. */
  scrypt?: ScryptParams;
  /** Where the built app is; `build/` at the repository root by default. */
  staticDir?: string;
  /** Follow-ups (F23, F25): the archive's transcripts, and for tests a mailer and a
   * retry policy of their own. */
  transcripts?: TranscriptSource;
  mailer?: Mailer;
  retryPolicy?: RetryPolicy;
};

export type FirstStart = { nickname: string; password: string | null };

export type RunningServer = {
  port: number;
  transport: 'uws' | 'ws';
  /** Set when this start created the admin account (print how to sign in). */
  firstStart: FirstStart | null;
  /** The Contributors room: `room.postAlert({ text, link?, mentions? })` posts an
   * alert every signed-in staff member sees (SP-CR9; follow-up replies, F25). */
  room: Pick<ContributorsRoom, 'postAlert' | 'members'>;
  /** Closes every socket with 1012 `shutting_down`, frees the port, closes storage. */
  close(): Promise<void>;
};

const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../build', import.meta.url));

export async function startServer(
  config: Config,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const transport = chooseTransport(config, logger);
  const storage = openSqliteStorage(databaseFile(config.dataDir));
  try {
    const firstStart = await seed(storage, config, options, now());
    const metrics = createMetrics();
    const admin = new AdminStore(storage.database);
    const canned = new CannedStore(storage.database);
    // F18: demo mode starts with a set of Global responses written for Peerdesk.
    if (config.demo) seedStarterResponses(canned, now());
    // SP-A7: settings an admin changed are laid over the environment's, at start too.
    const settings = createLiveSettings(config, admin.settingOverrides(), (message) =>
      logger.warn({}, message),
    );
    const live: Config = { ...config, ...settings.current() };
    let originPolicyNow = createOriginPolicy(live);
    const originPolicy: OriginPolicy = (origin, host) => originPolicyNow(origin, host);
    const switchboard = createSwitchboard(
      toCoreConfig(live),
      {
        ...storage.loadSnapshot(now()),
        helperDepartments: Object.fromEntries(admin.helperDepartments()),
      },
      randomIds,
      now(),
    );
    const sessions = createSessions(storage, { ttlMs: config.sessionTtlHours * 3_600_000 });
    const visitorTokens = createVisitorTokens(loadVisitorTokenKey(storage));
    // The room sends through the gateway, which is made next; nothing is sent before.
    let sendText: (conn: number, text: string) => void = () => undefined;
    const room = createContributorsRoom({
      store: new RoomStore(storage.database),
      send: (conn, text) => sendText(conn, text),
      account: (id) => {
        const found = storage.findAccountById(id);
        return found === null || found.disabled ? null : toAccountRecord(found);
      },
      accountByNickname: (nickname) => {
        const found = storage.findAccountByNickname(nickname);
        return found === null || found.disabled ? null : toAccountRecord(found);
      },
      now,
      newId: () => randomIds('m'),
      messagesPerMinute: config.roomMessagesPerMinute,
    });
    /** SP-CR9, and for other parts of the service (F25): an alert in the Contributors room. */
    const postRoomAlert = room.postAlert;
    let listeningPort = config.port;
    const followUps = createFollowUpService({
      database: storage.database,
      storage,
      config,
      sessions,
      verifyVisitor: (token) => visitorTokens.verify(token)?.visitorId ?? null,
      origin: () =>
        live.publicOrigin ??
        `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${listeningPort}`,
      now,
      logger,
      // The archive is made below; it is read only once emails and pages ask for it.
      transcripts:
        options.transcripts ?? archiveTranscripts({ transcript: (id) => archive.transcript(id) }),
      // SP-TK6, F25: a visitor's reply is announced in the Contributors room, naming the
      // chat's helpers so they are notified.
      alertRoom: (alert) =>
        postRoomAlert({
          text: alert.text,
          link: alert.path,
          mentions: alert.helperIds.flatMap((id) => storage.findAccountById(id)?.nickname ?? []),
        }),
      ...(options.mailer === undefined ? {} : { mailer: options.mailer }),
      ...(options.retryPolicy === undefined ? {} : { retryPolicy: options.retryPolicy }),
    });
    const gateway = createGateway({
      switchboard,
      // Tickets and transcript emails follow what the switchboard stores (F7, F23).
      storage: {
        apply: (change) => {
          storage.apply(change);
          followUps.persisted(change);
        },
      },
      now,
      logger,
      metrics: gatewayMetrics(metrics),
      config: live,
      originPolicy,
      verifySession: (token, at) => {
        const session = sessions.resolve(token, at);
        return session === null
          ? null
          : { account: toAccountRecord(session.account), sessionKey: session.tokenHash };
      },
      visitorTokens: { ...visitorTokens, mint: newVisitorIdentity },
      iceServers: (who) =>
        iceServersFor(live, who.role === 'staff' ? who.account.id : null, now()).iceServers,
      relayOnlyHelpers: config.relayOnlyHelpers,
      room,
      onQueueWait: (wait) => {
        const department = storage.listDepartments().find((d) => d.id === wait.department);
        postRoomAlert(queueWaitAlert({ ...wait, departmentName: department?.name ?? null }));
      },
    });
    sendText = gateway.sendText;
    settings.onChange((changed, current) => {
      Object.assign(live, current);
      originPolicyNow = createOriginPolicy(live);
      gateway.notify({ type: 'config_changed', config: corePart(changed, live) });
    });
    const lockout = createSignInLockout(admin);
    const startedAt = now();
    // The transcript archive (SPEC.md SP-U1–SP-U9); `live` holds the admin's retention and
    // forum settings as they change.
    const archive = createTranscriptArchive({
      store: new ArchiveStore(storage.database),
      settings: () => live,
      now,
      log: logger,
      notArchivedAfterMs: config.archiveWaitSeconds * 1000,
    });
    // SP-U8: sweeping at least twice per wait, so a short wait is kept to within half of it.
    const stopSweep = startArchiveSweep(
      archive,
      logger,
      Math.min(SWEEP_EVERY_MS, Math.max(1000, (config.archiveWaitSeconds * 1000) / 2)),
    );
    // F32 (SP-PV4, SP-PV5): tickets, left messages and ended blocks past their retention.
    const sweepPrivacy = () => {
      try {
        sweepRetention(storage.database, live, now());
      } catch (error) {
        logger.error({ err: error }, 'retention sweep failed');
      }
    };
    sweepPrivacy();
    const retentionTimer = setInterval(sweepPrivacy, SWEEP_EVERY_MS);
    retentionTimer.unref();
    const extraRoutes = combineRoutes(
      createArchiveRoutes({
        archive,
        sessions,
        visitorTokens,
        settings: () => live,
        now,
        departments: () => storage.listDepartments(),
        onRated: (chatId, rating, chat) =>
          gateway.notify({
            type: 'chat_rated',
            chatId,
            stars: rating.stars,
            at: rating.at,
            ...chat,
          }),
      }),
      followUps.routes,
      createAdminApi({
        storage,
        forgetVisitor: (target) => {
          const result = eraseVisitor(storage.database, target);
          if (result.ok) {
            const { outboxIds, needles } = result.found;
            result.erased['mailFiles'] = eraseMailFiles(
              mailFolder(config.dataDir),
              outboxIds,
              needles,
            );
          }
          return result;
        },
        admin,
        chatMeta: storage.chatMeta,
        canned,
        sessions,
        settings,
        lockout,
        notify: (event) => gateway.notify(event),
        endAccount: (accountId) => gateway.endAccount(accountId),
        originPolicy,
        publicOrigin: config.publicOrigin,
        defaultChatLimit: config.defaultChatLimit,
        maxChatLimit: config.maxChatLimit,
        now,
        log: logger,
        ...(options.scrypt === undefined ? {} : { scrypt: options.scrypt }),
      }),
    );
    const http = createHttpHandler({
      storage,
      sessions,
      config: live,
      lockout,
      extraRoutes,
      metrics,
      transportName: () => transport.name,
      startedAt,
      staticFiles: loadStaticFiles(options.staticDir ?? DEFAULT_STATIC_DIR),
      log: logger,
      now,
      // A signed-out session's console socket is closed at once (4001).
      onSignOut: (session) => gateway.endSession(session.tokenHash),
    });
    const running = transport.factory(
      {
        http: (req: HttpRequest) => {
          // Queue lengths are read from the core when scraped, not kept up to date.
          if (req.path === '/metrics') updateQueueLengths(metrics, storage, switchboard.view());
          // The widget's frame-ancestors follow the live allowed origins (SP-A7): the
          // handler's security headers read `live` per response.
          return http(req);
        },
        upgrade: gateway.upgrade,
        open: gateway.open,
        message: gateway.message,
        close: gateway.close,
      },
      {
        maxPayloadBytes: config.maxPayloadBytes,
        maxBackpressureBytes: config.maxBackpressureBytes,
        idleTimeoutSeconds: config.idleTimeoutSeconds,
        // Each route's own limit, read per request (an admin may change the archive's):
        // archive uploads answer `archive_too_large` up to a MiB over theirs (SP-U3),
        // every other route `frame_too_large` up to twice its 16 KiB; the transport cuts
        // off anything larger as soon as it arrives, chunked or declared.
        httpBodyLimit: (path) => {
          const own = extraRoutes.bodyLimit?.(path);
          return own === undefined ? 2 * MAX_HTTP_BODY_BYTES : own + 1024 * 1024;
        },
        httpRequestTimeoutMs: config.httpRequestTimeoutMs,
        wsPathPrefix: '/ws/',
      },
    );
    const port = await running.listen(config.host, config.port);
    listeningPort = port;
    logger.info({ port, host: config.host, transport: running.name }, 'listening');
    followUps.start();
    let closing: Promise<void> | null = null;
    return {
      port,
      transport: running.name,
      firstStart,
      room,
      close: () =>
        (closing ??= (async () => {
          stopSweep();
          clearInterval(retentionTimer);
          gateway.closeAll('shutting_down');
          await running.close(1012, 'shutting_down');
          await followUps.close();
          storage.close();
          logger.info({}, 'stopped');
        })()),
    };
  } catch (error) {
    storage.close();
    throw error;
  }
}

type ChosenTransport = { name: 'uws' | 'ws'; factory: TransportFactory };

/** TRANSPORT=auto runs uWebSockets.js when its native binary loads, else `ws`; the
 * log says which and why (the npm build would otherwise fall back silently). */
function chooseTransport(config: Config, logger: Logger): ChosenTransport {
  const info = describeTransport();
  if (config.transport === 'ws') {
    logger.info({ transport: 'ws', uws: info }, 'transport: ws (chosen by TRANSPORT)');
    return { name: 'ws', factory: createWsTransport };
  }
  const load = loadUwsNative();
  if (load.ok) {
    logger.info({ transport: 'uws', uws: info }, 'transport: uWebSockets.js (native)');
    return { name: 'uws', factory: createUwsTransport };
  }
  if (config.transport === 'uws') {
    throw new Error(
      `TRANSPORT=uws, but the uWebSockets.js native binary did not load: ${load.reason}`,
    );
  }
  logger.warn(
    { transport: 'ws', uws: info },
    `transport: ws (uWebSockets.js native binary did not load: ${load.reason})`,
  );
  return { name: 'ws', factory: createWsTransport };
}

async function seed(
  storage: Storage,
  config: Config,
  options: ServerOptions,
  now: number,
): Promise<FirstStart | null> {
  const accountOptions = {
    now,
    defaultChatLimit: config.defaultChatLimit,
    ...(options.scrypt === undefined ? {} : { scrypt: options.scrypt }),
  };
  const admin = await ensureAdmin(storage, {
    ...accountOptions,
    nickname: config.adminNickname,
    password: config.adminPassword,
  });
  if (config.demo) await seedDemo(storage, accountOptions);
  ensureDefaultDepartment(storage);
  return admin.created
    ? { nickname: admin.account.nickname, password: admin.generatedPassword }
    : null;
}

/** The settings the switchboard reads itself (SP-A7); the rest live in the shell. */
function corePart(changed: Partial<LiveConfig>, current: Config): Partial<CoreConfig> {
  const core: Partial<CoreConfig> = {};
  // SP-PN1: the notice is its text and its link together.
  if (changed.privacyNotice !== undefined || changed.privacyPolicyUrl !== undefined) {
    core.privacyNotice = privacyNoticeOf(current);
  }
  if (changed.offerTimeoutMs !== undefined) core.offerTimeoutMs = changed.offerTimeoutMs;
  if (changed.typingPreview !== undefined) core.typingPreview = changed.typingPreview;
  if (changed.attachmentMaxBytes !== undefined)
    core.attachmentMaxBytes = changed.attachmentMaxBytes;
  if (changed.helperGraceMs !== undefined) core.helperGraceMs = changed.helperGraceMs;
  if (changed.visitorGraceMs !== undefined) core.visitorGraceMs = changed.visitorGraceMs;
  if (changed.inviteTimeoutMs !== undefined) core.inviteTimeoutMs = changed.inviteTimeoutMs;
  if (changed.queueWaitAlertMs !== undefined) core.queueWaitAlertMs = changed.queueWaitAlertMs;
  return core;
}

const randomIds: IdSource = (prefix) => `${prefix}${randomBytes(12).toString('base64url')}`;

/** The gateway's metric calls on the Prometheus registry (signal/http/metrics.ts). */
function gatewayMetrics(metrics: Metrics): Parameters<typeof createGateway>[0]['metrics'] {
  const counts = new Map<ConnectionRole, number>();
  return {
    connectionChanged(role, delta) {
      const count = (counts.get(role) ?? 0) + delta;
      counts.set(role, count);
      metrics.setConnections(role, count);
    },
    upgradeRefused: () => undefined,
    errorSent: () => undefined,
    stat: (stat) => metrics.record(stat),
  };
}

function updateQueueLengths(
  metrics: Metrics,
  storage: Storage,
  view: ReturnType<ReturnType<typeof createSwitchboard>['view']>,
): void {
  const lengths = new Map<string, number>();
  for (const department of storage.listDepartments()) lengths.set(department.id, 0);
  for (const chat of view.chats) {
    if (chat.status === 'queued')
      lengths.set(chat.department, (lengths.get(chat.department) ?? 0) + 1);
  }
  for (const [department, length] of lengths) metrics.setQueueLength(department, length);
}
