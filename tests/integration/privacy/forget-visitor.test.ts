/**
 * F32 "forget this visitor" (SPEC.md SP-PV1–SP-PV3) through the real service: a visitor
 * chats (archived, rated, tagged, made a ticket with its email and follow-up link),
 * then leaves a message from another visit with the same email. An admin forgets
 * them by email, and a query over every table of the database (every column of
 * every row, the full-text index's own tables included) finds nothing of them: not
 * their visitor ids, email, name or words. Another visitor's chat is untouched, the
 * erasure is audited without naming them, and a visitor in a chat now is refused.
 * SP-PV7: a block of theirs that was lifted leaves no id or IP in the audit line, and
 * the `.eml` files written for them are gone from DATA_DIR/mail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { forgottenDigest } from '../../../signal/http/admin/privacy-routes.ts';
import { mailFolder } from '../../../signal/mail/mailer.ts';
import { databaseFile } from '../../../signal/storage/sqlite-storage.ts';
import { api, endedChat, errorCode, staffClient, upload } from '../archive/archive-chat.ts';
import { ADMIN_NICKNAME, ADMIN_PASSWORD, type Service } from '../harness.ts';
import { requestChat, startPrivacyService } from './privacy-service.ts';

let service: Service;

beforeAll(async () => {
  service = await startPrivacyService();
});
afterAll(async () => {
  await service.close();
});

/** A visitor who says hello and leaves a message; resolves with their visitor id. */
function leaveMessage(name: string, email: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${service.port}/ws/visitor`);
    let visitorId = '';
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION })));
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as { type: string; visitorId?: string };
      if (msg.type === 'welcome') {
        visitorId = msg.visitorId ?? '';
        ws.send(
          JSON.stringify({ type: 'leave_message', name, email, department: 'general', message }),
        );
      } else if (msg.type === 'message_left') {
        resolve(visitorId);
        ws.close();
      }
    });
  });
}

/** A visit by `email` from `ip` that Alice blocks (with the IP) and an admin lifts. */
async function blockedAndLifted(
  alice: Awaited<ReturnType<typeof staffClient>>,
  admin: string,
  email: string,
  ip: string,
): Promise<string> {
  const { visitor, welcome } = await requestChat(service, {
    name: 'Zephyrine',
    email,
    question: 'me again',
    ip,
  });
  const offer = await alice.next('offer');
  alice.send({ type: 'accept', chatId: offer.chatId });
  await visitor.next('chat');
  alice.send({ type: 'block', chatId: offer.chatId, reason: 'testing forget', ip: true });
  await alice.next('blocked_visitor');
  const blocks = await api(service, 'GET', '/api/admin/blocks', admin);
  const block = (blocks.body['blocks'] as { id: string; ip: string | null }[]).find(
    (b) => b.ip === ip,
  );
  expect(block).toBeDefined();
  const lifted = await api(service, 'POST', `/api/admin/blocks/${block!.id}/lift`, admin, {});
  expect(lifted.status).toBe(200);
  visitor.terminate();
  return welcome.visitorId;
}

/** The `.eml` files in DATA_DIR/mail that contain one of `needles`. */
function mailFilesNaming(needles: string[]): string[] {
  const dir = mailFolder(service.dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => {
    const text = readFileSync(join(dir, name), 'utf8').toLowerCase();
    return needles.some((needle) => text.includes(needle.toLowerCase()));
  });
}

/** Resolves once `check` returns true; polls the file system, no fixed wait. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Every place in the database where one of `needles` is: `table.column` of each hit. */
function whereFound(needles: string[]): string[] {
  const db = new Database(databaseFile(service.dataDir), { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    const hits = new Set<string>();
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(row)) {
          const text =
            typeof value === 'string'
              ? value.toLowerCase()
              : Buffer.isBuffer(value)
                ? value.toString('latin1').toLowerCase()
                : '';
          for (const needle of needles) {
            if (text.includes(needle.toLowerCase())) hits.add(`${table}.${column} has ${needle}`);
          }
        }
      }
    }
    return [...hits].sort();
  } finally {
    db.close();
  }
}

describe('forget this visitor (F32, SP-PV1–SP-PV3)', () => {
  it('SP-PV1 SP-PV2 erases by email everything stored about the visitor, audited without naming them', async () => {
    const alice = await staffClient(service, 'alice');
    const aliceToken = await service.signIn('alice', DEMO_PASSWORD);
    const admin = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
    const email = 'zephyrine@example.org';

    const zed = await endedChat(
      service,
      alice,
      { visitor: ['my wobbly-quokka printer'], helper: ['turn it off and on'] },
      'Zephyrine',
      ['printing'],
    );
    expect((await upload(service, aliceToken, zed.chatId, zed.final)).status).toBe(201);
    const rated = await api(service, 'POST', '/api/survey', null, {
      token: zed.visitorToken,
      chatId: zed.chatId,
      stars: 4,
      comment: 'the quokka thanks you',
    });
    expect(rated.status).toBe(201);
    const ticket = await api(service, 'POST', '/api/tickets', aliceToken, { chatId: zed.chatId });
    expect(ticket.status).toBe(201);
    const laterVisit = await leaveMessage('Zephyrine', email, 'wobbly-quokka again, please write');
    const blockedIp = '203.0.113.77';
    const blockedVisit = await blockedAndLifted(alice, admin, email, blockedIp);

    // Someone else, who must be left alone.
    const otto = await endedChat(
      service,
      alice,
      { visitor: ['my own otter issue'], helper: ['ok'] },
      'Othello',
    );
    expect((await upload(service, aliceToken, otto.chatId, otto.final)).status).toBe(201);

    const needles = [
      zed.visitorId,
      laterVisit,
      email,
      'Zephyrine',
      'wobbly-quokka',
      'quokka thanks',
      blockedVisit,
      blockedIp,
    ];
    // Before: the visitor is all over the database (the check finds what is there).
    const before = whereFound(needles);
    for (const table of [
      'transcripts',
      'tickets',
      'left_messages',
      'closed_chats',
      'mail_outbox',
      'chat_ratings',
      'audit_log',
    ]) {
      expect(
        before.some((hit) => hit.startsWith(`${table}.`)),
        table,
      ).toBe(true);
    }

    // The emails to them were written as .eml files (no SMTP_URL).
    await until(() => mailFilesNaming([email]).length > 0, 'an .eml file to the visitor');

    // Only an admin may.
    expect(
      errorCode(await api(service, 'POST', '/api/admin/privacy/forget', aliceToken, { email })),
    ).toBe('forbidden');
    expect(errorCode(await api(service, 'POST', '/api/admin/privacy/forget', admin, {}))).toBe(
      'bad_frame',
    );

    const forgotten = await api(service, 'POST', '/api/admin/privacy/forget', admin, { email });
    expect(forgotten.status).toBe(200);
    expect(forgotten.body['erased']).toMatchObject({
      visitors: 3,
      transcripts: 1,
      ratings: 1,
      tags: 1,
      // The chat's ticket, and the one the left message became (SP-TK8).
      tickets: 2,
      leftMessages: 1,
      closedChats: 2,
      blocks: 1,
    });
    expect(forgotten.body['erased']).toMatchObject({
      auditLines: expect.any(Number),
      mailFiles: expect.any(Number),
    });
    expect((forgotten.body['erased'] as Record<string, number>)['mailFiles']).toBeGreaterThan(0);

    expect(whereFound(needles)).toEqual([]);
    expect(mailFilesNaming(needles)).toEqual([]);
    // SP-PV7: the lift's audit line is still there, without the visitor in it.
    const lifts = await api(service, 'GET', '/api/admin/audit', admin);
    expect(lifts.body['entries']).toContainEqual(
      expect.objectContaining({ action: 'block.lift', actor: ADMIN_NICKNAME }),
    );
    // The other visitor's chat is all there.
    expect(whereFound([otto.visitorId, 'otter issue', 'Othello'])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^transcripts\./),
        expect.stringMatching(/^closed_chats\./),
      ]),
    );
    const transcript = await api(service, 'GET', `/api/archive/${otto.chatId}`, aliceToken);
    expect(transcript.status).toBe(200);
    expect((await api(service, 'GET', `/api/archive/${zed.chatId}`, aliceToken)).status).toBe(404);

    // SP-PV2: audited, naming the visitor only by a digest of what was asked.
    const db = new Database(databaseFile(service.dataDir), { readonly: true, fileMustExist: true });
    const audit = db
      .prepare("SELECT actor, target, detail FROM audit_log WHERE action = 'visitor.forget'")
      .all();
    db.close();
    expect(audit).toEqual([
      {
        actor: ADMIN_NICKNAME,
        target: forgottenDigest({ email }),
        detail: expect.stringContaining('"transcripts":1'),
      },
    ]);

    // Asked again: nothing left to erase, and it says so.
    const again = await api(service, 'POST', '/api/admin/privacy/forget', admin, { email });
    expect(again.body['erased']).toMatchObject({ visitors: 0, transcripts: 0, tickets: 0 });
    alice.close();
  });

  it('SP-PV3 a visitor in a chat right now is refused (409 visitor_chatting) and nothing is erased', async () => {
    const admin = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
    const { visitor, welcome } = await requestChat(service, {
      name: 'Quilla',
      email: 'quilla@example.org',
      question: 'Still there?',
      ip: '198.51.100.200',
    });
    await visitor.next('queued');
    const refused = await api(service, 'POST', '/api/admin/privacy/forget', admin, {
      visitorId: welcome.visitorId,
    });
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe('visitor_chatting');
    expect(whereFound([welcome.visitorId]).some((hit) => hit.startsWith('open_chats.'))).toBe(true);
    visitor.terminate();
  });
});
