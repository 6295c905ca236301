/**
 * The archive verifies helper signatures (SPEC.md SP-U10, CHAT.md CH-V2 CH-V6) on a real SQLite
 * database: each staff line of an uploaded transcript is checked against the public
 * key the service bound with the line's client id (SP-P6) and stored verified or not; a
 * chat handed over after its helper vanished (B3) keeps that helper's lines from the
 * earlier copy the uploader sends, verified the same way. A forged signature, a line
 * signed with another staff member's key and an unsigned line are unverified.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  generateSigningKeys,
  messageSigner,
  type MessageSigner,
} from '../../../protocol/index.ts';
import { createTranscriptArchive } from '../../../signal/archive/transcript-archive.ts';
import type { OpenChatRecord, ParticipantRecord } from '../../../signal/core/records.ts';
import { createLogger } from '../../../signal/log.ts';
import { ArchiveStore } from '../../../signal/storage/archive-store.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../signal/storage/sqlite-storage.ts';

const VISITOR = 1001;
const ALICE = 2002;
const BOB = 3003;
const MALLORY_KEYED_ALICE = 2003;

async function signer(): Promise<MessageSigner> {
  const { alg, keys } = await generateSigningKeys();
  return messageSigner(alg, keys);
}

/** A staff line written as the console writes it (SP-V2): prepared, signed, written. */
async function writeSigned(
  doc: Y.Doc,
  chatId: string,
  s: MessageSigner,
  body: string,
  at: number,
  seen = 0,
): Promise<string> {
  const chat = new ChatDocument(doc);
  const prepared = chat.prepareMessage({ kind: 'text', body }, at, seen);
  if (!prepared.ok) throw new Error(prepared.code);
  const sig = await s.sign(chatId, prepared.id, prepared.entry);
  const written = chat.writePrepared(prepared.id, { ...prepared.entry, sig });
  if (!written.ok) throw new Error(written.code);
  return prepared.id;
}

function say(doc: Y.Doc, body: string, at: number): string {
  const posted = new ChatDocument(doc).postMessage({ kind: 'text', body }, at);
  if (!posted.ok) throw new Error(posted.code);
  return posted.id;
}

const sync = (from: Y.Doc, to: Y.Doc) =>
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));

describe('archive signatures', () => {
  let dir: string;
  let storage: SqliteStorage;
  const clock = Date.UTC(2026, 0, 1);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peerdesk-archive-sig-'));
    storage = openSqliteStorage(join(dir, 'peerdesk.sqlite'));
  });
  afterEach(() => {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const archive = () =>
    createTranscriptArchive({
      store: new ArchiveStore(storage.database),
      settings: () => ({ archiveRetentionDays: 30, archiveFileBytes: 0 }),
      now: () => clock,
      log: createLogger({ level: 'silent' }),
    });

  function endChat(chatId: string, participants: ParticipantRecord[]): void {
    const record: OpenChatRecord = {
      chatId,
      visitor: { visitorId: 'v-1', firstVisitAt: 1, firstLandingPage: 'https://h/' },
      ip: '203.0.113.9',
      details: {
        name: 'Vera',
        email: null,
        department: 'general',
        question: 'Where did my bookmarks go?',
        page: { url: 'https://h/', title: 'Help' },
        browser: { userAgent: 'test', language: 'en' },
        sessionStartedAt: 1,
        landingPage: 'https://h/',
      },
      enqueuedAt: clock - 1000,
      returned: false,
      status: 'active',
      startedAt: clock - 500,
      rejectedBy: [],
      participants,
    };
    storage.apply({ op: 'open_chat', chat: record });
    storage.apply({ op: 'close_chat', chatId, outcome: 'ended', at: clock, chat: record });
  }

  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const bound = (id: string, name: string, client: number, s: MessageSigner, left?: true) =>
    ({
      id,
      role: 'helper',
      name,
      clientIds: [client],
      keys: [{ clientId: client, ...s.publicKey }],
      ...(left ? { left } : {}),
    }) satisfies ParticipantRecord;

  it('SP-U10 CH-V6 each staff line is stored verified only when its signature checks with the key bound with its client id', async () => {
    const chatId = 'c-signed';
    const alice = await signer();
    const bob = await signer();
    const doc = new Y.Doc();
    doc.clientID = VISITOR;
    say(doc, 'My bookmarks are gone', clock);
    doc.clientID = ALICE;
    const good = await writeSigned(doc, chatId, alice, 'Let us look at your profile', clock + 1);
    // Alice's client id, Bob's key: a signature made with a key not bound to that id.
    const wrongKey = await writeSigned(doc, chatId, bob, 'Signed with Bob’s key', clock + 2);
    const unsigned = say(doc, 'No signature at all', clock + 3);
    // A real signature of other words: the body was changed after signing.
    const forged = await writeSigned(doc, chatId, alice, 'No refund', clock + 4);
    const messages = doc.getMap('messages');
    const entry = messages.get(forged) as Record<string, unknown>;
    messages.set(forged, { ...entry, body: 'Refund approved' });

    endChat(chatId, [
      { id: 'v-1', role: 'visitor', name: 'Vera', clientIds: [VISITOR] },
      bound('alice', 'Alice', ALICE, alice),
    ]);
    const answer = await archive().upload('alice', chatId, {
      update: b64(Y.encodeStateAsUpdate(doc)),
    });
    expect(answer.ok).toBe(true);
    const t = archive().transcript(chatId);
    const byId = new Map(t?.messages.map((m) => [m.id, m]));
    expect(byId.get(good)).toMatchObject({ verified: true, author: { name: 'Alice' } });
    expect(byId.get(wrongKey)?.verified).toBe(false);
    expect(byId.get(unsigned)?.verified).toBe(false);
    expect(byId.get(forged)).toMatchObject({ body: 'Refund approved', verified: false });
    // The visitor's line rests on the service's binding: no signature to check.
    expect(t?.messages[0]).toMatchObject({ body: 'My bookmarks are gone' });
    expect(t?.messages[0]?.verified).toBeUndefined();
  });

  it('SP-U10 B3 a chat handed over keeps the earlier helper’s lines from the earlier copy, verified; a line forged into that copy is not', async () => {
    const chatId = 'c-handover';
    const alice = await signer();
    const bob = await signer();
    const mallory = await signer();
    // The visitor's own line, as its replica holds it.
    const visitorOwn = new Y.Doc();
    visitorOwn.clientID = VISITOR;
    const first = say(visitorOwn, 'Sync lost my passwords', clock);
    // Before the requeue: Alice answers; the visitor's copy holds both.
    const aliceDoc = new Y.Doc();
    aliceDoc.clientID = ALICE;
    sync(visitorOwn, aliceDoc);
    const aliceLine = await writeSigned(aliceDoc, chatId, alice, 'Sign in again', clock + 1);
    // The copy the visitor hands Bob also carries a line made up under Alice's client
    // id and one under another of her ids signed with a key bound to nobody.
    const copyDoc = new Y.Doc();
    sync(aliceDoc, copyDoc);
    copyDoc.clientID = ALICE;
    const invented = say(copyDoc, 'We will refund you', clock + 2);
    copyDoc.clientID = MALLORY_KEYED_ALICE;
    const malloryLine = await writeSigned(copyDoc, chatId, mallory, 'Send me the code', clock + 3);
    const copy = Y.encodeStateAsUpdate(copyDoc);

    // After the requeue: Bob's sync from the visitor carries only the visitor's own
    // structs (SP-A5, SP-K1), so his document has no line of Alice's.
    const bobDoc = new Y.Doc();
    bobDoc.clientID = BOB;
    sync(visitorOwn, bobDoc);
    const bobLine = await writeSigned(bobDoc, chatId, bob, 'Sorted, Bob here', clock + 5, 10);

    endChat(chatId, [
      { id: 'v-1', role: 'visitor', name: 'Vera', clientIds: [VISITOR] },
      {
        ...bound('alice', 'Alice', ALICE, alice, true),
        clientIds: [ALICE, MALLORY_KEYED_ALICE],
      },
      bound('bob', 'Bob', BOB, bob),
    ]);
    const final = Y.encodeStateAsUpdate(bobDoc);
    expect(new ChatDocument(bobDoc).messages().some((m) => m.authorClient === ALICE)).toBe(false);
    const answer = await archive().upload('bob', chatId, {
      update: b64(final),
      earlier: [b64(copy)],
    });
    expect(answer.ok).toBe(true);
    const t = archive().transcript(chatId);
    expect(t?.messages.map((m) => [m.body, m.author.name, m.verified, m.earlier])).toEqual([
      ['Sync lost my passwords', 'Vera', undefined, undefined],
      ['Sign in again', 'Alice', true, true],
      ['We will refund you', 'Alice', false, true],
      ['Send me the code', 'Alice', false, true],
      ['Sorted, Bob here', 'Bob', true, undefined],
    ]);
    expect(t?.messages.map((m) => m.id)).toEqual([
      first,
      aliceLine,
      invented,
      malloryLine,
      bobLine,
    ]);
    // Searching finds the earlier helper's words too.
    const found = archive().search({ text: 'sign in again' });
    expect('results' in found && found.results.map((r) => r.chatId)).toEqual([chatId]);
  });

  it('SP-U10 an earlier copy that does not decode refuses the upload and stores nothing', async () => {
    const chatId = 'c-bad-copy';
    const bob = await signer();
    const doc = new Y.Doc();
    doc.clientID = BOB;
    await writeSigned(doc, chatId, bob, 'Hello', clock);
    endChat(chatId, [
      { id: 'v-1', role: 'visitor', name: 'Vera', clientIds: [VISITOR] },
      bound('bob', 'Bob', BOB, bob),
    ]);
    const answer = await archive().upload('bob', chatId, {
      update: b64(Y.encodeStateAsUpdate(doc)),
      earlier: [b64(new Uint8Array([1, 200, 3, 7]))],
    });
    expect(answer).toMatchObject({ ok: false, status: 422, code: 'undecodable_transcript' });
    expect(archive().transcript(chatId)?.status).not.toBe('archived');
  });
});
