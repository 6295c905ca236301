import { describe, expect, it } from 'vitest';
import { CONFIG_ENTRIES } from '../../../signal/config-table.ts';
import {
  CONFIG_VARIABLES,
  loadConfig,
  DEMO_PRIVACY_NOTICE,
  renderConfigTable,
  toCoreConfig,
  type Config,
} from '../../../signal/config.ts';
import { DEFAULT_CORE_CONFIG } from '../../../signal/core/events.ts';

function ok(env: Record<string, string | undefined>, argv: string[] = []): Config {
  const result = loadConfig(env, argv);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

function errors(env: Record<string, string | undefined>, argv: string[] = []): string[] {
  const result = loadConfig(env, argv);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = ok({});
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './data',
      transport: 'auto',
      publicOrigin: null,
      allowedOrigins: [],
      trustedProxies: [],
      offerTimeoutMs: 20_000,
      helperGraceMs: 30_000,
      visitorGraceMs: 60_000,
      inviteTimeoutMs: 60_000,
      restartGraceMs: 60_000,
      defaultChatLimit: 3,
      maxChatLimit: 10,
      typingPreview: true,
      attachmentMaxBytes: 10 * 1024 * 1024,
      iceServers: [],
      turn: null,
      relayOnlyHelpers: false,
      sessionTtlHours: 720,
      logLevel: 'info',
      adminNickname: 'admin',
      adminPassword: null,
      wsMessagesPerSecond: 20,
      wsMessageBurst: 40,
      wsConnectionsPerIpPerMinute: 60,
      httpSigninPerIpPerMinute: 10,
      maxPayloadBytes: 65_536,
      maxBackpressureBytes: 1_048_576,
      idleTimeoutSeconds: 60,
      demo: false,
    });
  });

  it('the documented defaults are the ones applied (the table cannot drift)', () => {
    const defaults = ok({});
    for (const variable of CONFIG_VARIABLES) {
      const explicit = loadConfig({ [variable.name]: variable.default }, []);
      expect(explicit.ok, variable.name).toBe(true);
      if (explicit.ok) expect(explicit.config, variable.name).toEqual(defaults);
    }
  });

  it('reads every variable', () => {
    const config = ok(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: '/var/lib/peerdesk',
        TRANSPORT: 'ws',
        PUBLIC_ORIGIN: 'https://chat.example.org/',
        ALLOWED_ORIGINS: 'https://help.example.org, http://localhost:5173 ,',
        TRUSTED_PROXIES: '10.0.0.0/8,::1,192.168.1.1',
        OFFER_TIMEOUT_MS: '5000',
        HELPER_GRACE_MS: '1000',
        VISITOR_GRACE_MS: '2000',
        INVITE_TIMEOUT_MS: '3000',
        RESTART_GRACE_MS: '4000',
        DEFAULT_CHAT_LIMIT: '2',
        MAX_CHAT_LIMIT: '4',
        TYPING_PREVIEW: 'false',
        ATTACHMENT_MAX_BYTES: '2000000',
        ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]',
        TURN_SECRET: 's3cret',
        TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349',
        TURN_TTL_SECONDS: '600',
        RELAY_ONLY_HELPERS: 'yes',
        SESSION_TTL_HOURS: '24',
        LOG_LEVEL: 'debug',
        ADMIN_NICKNAME: 'root',
        ADMIN_PASSWORD: 'correct horse',
        WS_MESSAGES_PER_SECOND: '5',
        WS_MESSAGE_BURST: '10',
        WS_CONNECTIONS_PER_IP_PER_MINUTE: '7',
        HTTP_SIGNIN_PER_IP_PER_MINUTE: '3',
        MAX_PAYLOAD_BYTES: '32768',
        QUEUE_WAIT_ALERT_MS: '90000',
        CHAT_META_CHANGES_PER_10_SECONDS: '50',
        ROOM_MESSAGES_PER_MINUTE: '12',
        MAX_BACKPRESSURE_BYTES: '65536',
        IDLE_TIMEOUT_SECONDS: '16',
        HELLO_TIMEOUT_MS: '2500',
        HTTP_REQUEST_TIMEOUT_MS: '4000',
        IP_RETENTION_DAYS: '2',
        ARCHIVE_RETENTION_DAYS: '0',
        ARCHIVE_FILE_BYTES: '1048576',
        ARCHIVE_WAIT_SECONDS: '30',
        FORUM_URL: 'https://forum.example.org/c/help',
        PRIVACY_NOTICE: 'We keep your chat for a year.',
        PRIVACY_POLICY_URL: 'https://example.org/privacy',
        SMTP_URL: 'smtps://peerdesk:pw@mail.example.org:465',
        MAIL_FROM: 'Help <help@example.org>',
        FOLLOW_UP_LINK_DAYS: '7',
        FOLLOW_UP_REQUESTS_PER_MINUTE: '600',
      },
      ['--demo'],
    );
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      dataDir: '/var/lib/peerdesk',
      transport: 'ws',
      publicOrigin: 'https://chat.example.org',
      allowedOrigins: ['https://help.example.org', 'http://localhost:5173'],
      trustedProxies: ['10.0.0.0/8', '::1', '192.168.1.1'],
      offerTimeoutMs: 5000,
      helperGraceMs: 1000,
      visitorGraceMs: 2000,
      inviteTimeoutMs: 3000,
      restartGraceMs: 4000,
      defaultChatLimit: 2,
      maxChatLimit: 4,
      typingPreview: false,
      attachmentMaxBytes: 2_000_000,
      iceServers: [{ urls: 'stun:stun.example.org:3478' }],
      turn: {
        secret: 's3cret',
        urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
        ttlSeconds: 600,
      },
      relayOnlyHelpers: true,
      sessionTtlHours: 24,
      logLevel: 'debug',
      adminNickname: 'root',
      adminPassword: 'correct horse',
      wsMessagesPerSecond: 5,
      wsMessageBurst: 10,
      wsConnectionsPerIpPerMinute: 7,
      httpSigninPerIpPerMinute: 3,
      maxPayloadBytes: 32_768,
      maxBackpressureBytes: 65_536,
      idleTimeoutSeconds: 16,
      helloTimeoutMs: 2500,
      httpRequestTimeoutMs: 4000,
      maxConnections: 50000,
      queueWaitAlertMs: 90_000,
      chatMetaChangesPer10Seconds: 50,
      roomMessagesPerMinute: 12,
      demo: true,
      archiveRetentionDays: 0,
      archiveFileBytes: 1_048_576,
      ticketRetentionDays: 730,
      leftMessageRetentionDays: 365,
      endedBlockRetentionDays: 30,
      ipRetentionDays: 2,
      archiveWaitSeconds: 30,
      forumUrl: 'https://forum.example.org/c/help',
      privacyNotice: 'We keep your chat for a year.',
      privacyPolicyUrl: 'https://example.org/privacy',
      smtpUrl: 'smtps://peerdesk:pw@mail.example.org:465',
      mailFrom: 'Help <help@example.org>',
      followUpLinkDays: 7,
      followUpRequestsPerMinute: 600,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(ok({ PORT: '', LOG_LEVEL: '  ' }).port).toBe(8080);
  });

  it('lists every bad variable at once, one line each, naming it', () => {
    const list = errors(
      {
        PORT: '80a',
        TRANSPORT: 'tcp',
        PUBLIC_ORIGIN: 'chat.example.org',
        ALLOWED_ORIGINS: 'https://ok.example.org,https://bad.example.org/path',
        TRUSTED_PROXIES: '10.0.0.0/33',
        OFFER_TIMEOUT_MS: '-1',
        TYPING_PREVIEW: 'maybe',
        ICE_SERVERS: '{not json',
        LOG_LEVEL: 'loud',
        ADMIN_NICKNAME: 'has space',
        ADMIN_PASSWORD: 'short',
        IDLE_TIMEOUT_SECONDS: '2',
      },
      ['--demo', '--verbose'],
    );
    const named = [
      'PORT=',
      'TRANSPORT=',
      'PUBLIC_ORIGIN=',
      'ALLOWED_ORIGINS=',
      'TRUSTED_PROXIES=',
      'OFFER_TIMEOUT_MS=',
      'TYPING_PREVIEW=',
      'ICE_SERVERS=',
      'LOG_LEVEL=',
      'ADMIN_NICKNAME=',
      'ADMIN_PASSWORD=',
      'IDLE_TIMEOUT_SECONDS=',
      'unknown argument "--verbose"',
    ];
    for (const prefix of named) {
      expect(
        list.filter((line) => line.startsWith(prefix)),
        prefix,
      ).toHaveLength(1);
    }
    expect(list).toHaveLength(named.length);
    expect(list.find((line) => line.startsWith('PORT='))).toBe('PORT="80a" must be a whole number');
  });

  it('never echoes a secret in an error', () => {
    const list = errors({ ADMIN_PASSWORD: 'abc', TURN_SECRET: 'topsecret' });
    expect(list.join('\n')).not.toMatch(/abc|topsecret/);
  });

  it('checks ICE_SERVERS against the protocol schema', () => {
    expect(errors({ ICE_SERVERS: '[{"url":"stun:x"}]' })[0]).toMatch(/^ICE_SERVERS=/);
    expect(errors({ ICE_SERVERS: '{"urls":"stun:x"}' })[0]).toMatch(/^ICE_SERVERS=/);
    expect(
      ok({ ICE_SERVERS: '[{"urls":["turn:t:3478"],"username":"u","credential":"c"}]' }).iceServers,
    ).toEqual([{ urls: ['turn:t:3478'], username: 'u', credential: 'c' }]);
  });

  it('checks combinations: chat limits, TURN secret with URLs, relay-only needs TURN', () => {
    expect(errors({ DEFAULT_CHAT_LIMIT: '5', MAX_CHAT_LIMIT: '4' })).toEqual([
      'DEFAULT_CHAT_LIMIT=5 must not exceed MAX_CHAT_LIMIT=4',
    ]);
    expect(errors({ TURN_SECRET: 'x' })).toEqual([
      'TURN_SECRET and TURN_URLS must be set together',
    ]);
    expect(errors({ TURN_URLS: 'turn:t' })).toEqual([
      'TURN_SECRET and TURN_URLS must be set together',
    ]);
    expect(errors({ TURN_SECRET: 'x', TURN_URLS: 'stun:t' })[0]).toMatch(/^TURN_URLS=/);
    expect(errors({ RELAY_ONLY_HELPERS: 'true' })[0]).toMatch(/needs a TURN server/);
    expect(
      ok({ RELAY_ONLY_HELPERS: 'true', ICE_SERVERS: '[{"urls":"turn:t","username":"u"}]' })
        .relayOnlyHelpers,
    ).toBe(true);
  });

  it('maps to the core configuration', () => {
    const core = toCoreConfig(ok({ OFFER_TIMEOUT_MS: '1234', TYPING_PREVIEW: '0' }));
    expect(core).toEqual({
      ...DEFAULT_CORE_CONFIG,
      offerTimeoutMs: 1234,
      typingPreview: false,
    });
  });

  it('fills exactly the keys the table names, the TURN ones as one `turn`, plus `demo`', () => {
    const keys = CONFIG_ENTRIES.map((e) => e.key).filter((k) => !k.startsWith('turn'));
    expect(Object.keys(ok({})).sort()).toEqual([...keys, 'turn', 'demo'].sort());
    expect(CONFIG_ENTRIES.map((e) => e.key).filter((k) => k.startsWith('turn'))).toEqual([
      'turnSecret',
      'turnUrls',
      'turnTtlSeconds',
    ]);
  });

  it('names each variable and each key once', () => {
    const names = CONFIG_ENTRIES.map((e) => e.name);
    const keys = CONFIG_ENTRIES.map((e) => e.key);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('SP-PN1 the privacy notice is off by default, on with a demo text in demo mode, and never a javascript: link', () => {
    expect(ok({}).privacyNotice).toBeNull();
    expect(toCoreConfig(ok({})).privacyNotice).toBeNull();
    expect(toCoreConfig(ok({}, ['--demo'])).privacyNotice).toEqual({
      text: DEMO_PRIVACY_NOTICE,
      policyUrl: null,
    });
    expect(
      toCoreConfig(ok({ PRIVACY_NOTICE: ' Ours. ', PRIVACY_POLICY_URL: 'https://x.example/p' }))
        .privacyNotice,
    ).toEqual({ text: 'Ours.', policyUrl: 'https://x.example/p' });
    expect(errors({ PRIVACY_POLICY_URL: 'javascript:alert(1)' }).join('\n')).toContain(
      'PRIVACY_POLICY_URL',
    );
  });

  it('renders the README table: header, then each variable as name, default or (unset), meaning', () => {
    expect(renderConfigTable().split('\n').slice(0, 5)).toEqual([
      '| Variable | Default | Meaning |',
      '|---|---|---|',
      '| `PORT` | `8080` | Port for HTTP, WebSockets and the app. |',
      '| `HOST` | `0.0.0.0` | Address to listen on. |',
      '| `DATA_DIR` | `./data` | Folder for the SQLite database. |',
    ]);
    expect(renderConfigTable()).toContain(
      '| `PUBLIC_ORIGIN` | (unset) | Public origin of the service, e.g. `https://chat.example.org`. |',
    );
  });
});
