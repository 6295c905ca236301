/**
 * SPEC.md SP-PV11: "forget this visitor" wins over an email being built for them at the
 * same moment. The real ticket mail, outbox, outbox worker and `.eml` file mailer on a
 * real SQLite database; the erasure (eraseVisitor + eraseMailFiles, as the service's
 * forget route runs them) arrives while the email is being composed, that is after the
 * email was asked for and before it is queued. Afterwards no outbox row and no `.eml`
 * file names the visitor, whatever the worker does next. The first case failed before
 * the outbox re-checked the ticket in the insert's transaction: the email composed
 * meanwhile was queued after the erasure and written as a file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../signal/log.ts';
import { createFileMailer, mailFolder } from '../../../signal/mail/mailer.ts';
import { OutboxStore } from '../../../signal/mail/outbox-store.ts';
import { createOutboxWorker, type OutboxWorker } from '../../../signal/mail/outbox-worker.ts';
import type { Transcript } from '../../../signal/mail/transcript-source.ts';
import { eraseMailFiles } from '../../../signal/privacy/mail-file-erasure.ts';
import { eraseVisitor } from '../../../signal/privacy/visitor-erasure.ts';
import {
  databaseFile,
  openSqliteStorage,
  type SqliteStorage,
} from '../../../signal/storage/sqlite-storage.ts';
import { createTicketMail, type TicketMail } from '../../../signal/tickets/ticket-mail.ts';
import { TicketStore } from '../../../signal/tickets/ticket-store.ts';
import { START, chatRecord, line } from '../mail/mail-fixture.ts';

const EMAIL = 'ravenna@example.org';
let dir: string;
let storage: SqliteStorage;
let store: TicketStore;
let outbox: OutboxStore;
let mail: TicketMail;
let worker: OutboxWorker;
const archive = new Map<string, Transcript>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peerdesk-forget-race-'));
  storage = openSqliteStorage(databaseFile(dir));
  store = new TicketStore(storage.database);
  outbox = new OutboxStore(storage.database);
  const log = createLogger({ level: 'silent' });
  const now = () => START;
  mail = createTicketMail({
    store,
    outbox,
    kick: () => undefined,
    from: 'Peerdesk <help@peerdesk.test>',
    origin: () => 'https://chat.peerdesk.test',
    now,
    log,
  });
  worker = createOutboxWorker({
    store: outbox,
    mailer: createFileMailer(mailFolder(dir)),
    transcripts: { read: (chatId) => archive.get(chatId) ?? null },
    buildTranscriptMail: (row, transcript) => mail.buildTranscript(row, transcript),
    from: 'help@peerdesk.test',
    now,
    log,
  });
});

afterEach(() => {
  storage.close();
  rmSync(dir, { recursive: true, force: true });
  archive.clear();
});

/** What the service's forget route does (server.ts): the rows, then the files. */
function forget(visitorId: string): void {
  const result = eraseVisitor(storage.database, { visitorId });
  if (!result.ok) throw new Error(result.code);
  eraseMailFiles(mailFolder(dir), result.found.outboxIds, result.found.needles);
}

/** Everything still naming the visitor: outbox rows and `.eml` files. */
function leftovers(): string[] {
  const rows = outbox
    .all()
    .filter((row) => row.recipient === EMAIL)
    .map((row) => `outbox ${row.kind}`);
  const folder = mailFolder(dir);
  const files = existsSync(folder)
    ? readdirSync(folder).filter((name) => readFileSync(join(folder, name), 'utf8').includes(EMAIL))
    : [];
  return [...rows, ...files.map((name) => `file ${name}`)];
}

function closedChat(chatId: string): void {
  const chat = chatRecord(chatId, 'Ravenna', EMAIL, 'a-vera');
  storage.apply({ op: 'open_chat', chat });
  storage.apply({ op: 'close_chat', chatId, outcome: 'ended', at: START, chat });
}

describe('forget wins over an email built at the same moment (SP-PV11)', () => {
  it('SP-PV11 a "we have your message" email composed while the visitor is forgotten is never queued or written', async () => {
    store.insert({
      id: 't-race',
      source: 'left_message',
      chatId: null,
      leftMessageId: null,
      visitorId: 'v-ravenna',
      visitorName: 'Ravenna',
      email: EMAIL,
      department: 'general',
      subject: 'Please call me back',
      createdBy: null,
      createdAt: START,
    });
    store.addEntry({
      ticketId: 't-race',
      role: 'visitor',
      authorId: 'v-ravenna',
      author: 'Ravenna',
      body: 'Please call me back',
      at: START,
    });
    const ticket = store.byId('t-race')!;
    // The email is asked for (as a left message does) and is being composed…
    const queued = mail.received(ticket);
    // …when the admin's forget arrives.
    forget('v-ravenna');
    await queued;
    await worker.runDue();
    expect(leftovers()).toEqual([]);

    // Control: the same email for a visitor nobody forgets is queued and written.
    store.insert({ ...ticketRow('t-kept'), email: EMAIL });
    await mail.received(store.byId('t-kept')!);
    await worker.runDue();
    expect(leftovers()).toEqual(['outbox received', expect.stringMatching(/^file .+\.eml$/)]);
  });

  it('SP-PV11 a transcript email being built when the visitor is forgotten is not written', async () => {
    closedChat('c-race');
    archive.set('c-race', {
      chatId: 'c-race',
      lines: [line('m1', 'visitor', 'Ravenna', 'my secret question', START)],
    });
    mail.transcript('c-race', EMAIL, START);
    expect(leftovers()).toEqual(['outbox transcript']);
    // The worker starts building the transcript email, and the forget arrives meanwhile.
    const run = worker.runDue();
    forget('v-c-race');
    expect(await run).toBe(0);
    expect(leftovers()).toEqual([]);
  });
});

function ticketRow(id: string) {
  return {
    id,
    source: 'left_message' as const,
    chatId: null,
    leftMessageId: null,
    visitorId: `v-${id}`,
    visitorName: 'Kept',
    email: null,
    department: 'general',
    subject: 'Kept',
    createdBy: null,
    createdAt: START,
  };
}
