/**
 * SP-O5 against the real service: a hundred helpers send accept for one chat in the
 * same instant; exactly one wins and every other gets a coded conflict.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount } from '../../signal/auth/accounts.ts';
import { FAST_SCRYPT_PARAMS } from '../../signal/auth/passwords.ts';
import { createSessions } from '../../signal/auth/sessions.ts';
import { databaseFile, openSqliteStorage } from '../../signal/storage/sqlite-storage.ts';
import { startService, type Service, type StaffClient } from './harness.ts';

const HELPERS = 100;

/** Creates the helpers and their sessions in the database before the service starts. */
async function seedHelpers(dataDir: string): Promise<string[]> {
  const storage = openSqliteStorage(databaseFile(dataDir));
  const sessions = createSessions(storage, { ttlMs: 3600_000 });
  const tokens: string[] = [];
  for (let i = 0; i < HELPERS; i++) {
    const created = await createAccount(
      storage,
      { nickname: `helper${i}`, password: 'a-long-password', role: 'helper' },
      { now: Date.now(), defaultChatLimit: 3, scrypt: FAST_SCRYPT_PARAMS },
    );
    if (!created.ok) throw new Error(created.error);
    tokens.push(sessions.create(created.account.id, Date.now()).token);
  }
  storage.close();
  return tokens;
}

describe.each(['uws', 'ws'] as const)('accept race on %s', (transport) => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.close();
  });

  it(`SP-O5 of ${HELPERS} simultaneous accepts of one offer exactly one wins`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-race-'));
    const tokens = await seedHelpers(dataDir);
    // A hundred sockets from one address is more than the per-IP limit lets in.
    service = await startService({
      transport,
      dataDir,
      env: { WS_CONNECTIONS_PER_IP_PER_MINUTE: '1000' },
    });
    const helpers: StaffClient[] = [];
    for (const token of tokens) {
      const client = await service.staff();
      await client.hello(token, { available: false });
      helpers.push(client);
    }
    const visitor = await service.visitor();
    await visitor.hello();
    visitor.send({
      type: 'request',
      name: 'Racer',
      department: 'general',
      question: 'Who takes me?',
      page: { url: 'https://help.example/', title: 'Help' },
      browser: { userAgent: 'Test', language: 'en' },
      sessionStartedAt: Date.now(),
      landingPage: 'https://help.example/',
    });
    await visitor.next('queued');
    const chosen = helpers[HELPERS - 1]!;
    chosen.send({ type: 'set_available', available: true });
    const { chatId } = await chosen.next('offer');

    for (const h of helpers) h.send({ type: 'accept', chatId });

    const outcomes = await Promise.all(
      helpers.map(async (h) => {
        const won = h.next('chat');
        const lost = h.next('error');
        // Only one of the two ever arrives; the other waiter's timeout is expected.
        won.catch(() => undefined);
        lost.catch(() => undefined);
        const first = await Promise.race([won, lost]);
        return first.type === 'chat' ? 'won' : first.code;
      }),
    );
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes[HELPERS - 1]).toBe('won');
    const losers = outcomes.filter((o) => o !== 'won');
    expect(losers).toHaveLength(HELPERS - 1);
    for (const code of losers) expect(['not_offered', 'offer_conflict']).toContain(code);
    expect((await visitor.next('chat')).chatId).toBe(chatId);
  });
});
