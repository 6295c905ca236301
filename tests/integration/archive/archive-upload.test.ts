/**
 * The transcript archive through the real service (SPEC.md SP-U1–SP-U7): a helper of the
 * chat uploads the final document over HTTP; a non-participant, a forged-authorship
 * upload, a duplicate and an oversized one each get their own error and store nothing
 * wrong; search by a word and by a rating finds the right chats; the visitor's survey
 * is taken once.
 */
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, ROOT, Transcript, ArchiveResults } from '../../../protocol/index.ts';
import * as v from 'valibot';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { startService, type Service, type StaffClient } from '../harness.ts';
import { api, endedChat, errorCode, staffClient, upload, type EndedChat } from './archive-chat.ts';

describe('transcript archive uploads', () => {
  let service: Service;
  let alice: StaffClient;
  let aliceToken: string;

  beforeEach(async () => {
    service = await startService({ transport: 'uws', demo: true });
    alice = await staffClient(service, 'alice');
    aliceToken = await service.signIn('alice', DEMO_PASSWORD);
  });
  afterEach(async () => {
    await service.close();
  });

  const transcript = async (chatId: string) =>
    api(service, 'GET', `/api/archive/${chatId}`, aliceToken);

  const chat = (words: { visitor: string[]; helper: string[] }, name?: string, tags?: string[]) =>
    endedChat(service, alice, words, name, tags);

  it('SP-U1 SP-U6 a helper of the chat archives it; staff read it with authors, formatting source and times', async () => {
    const ended = await chat({
      visitor: ['My **bookmarks** vanished'],
      helper: ['Open _Library_ and look under `Recent`'],
    });
    const answer = await upload(service, aliceToken, ended.chatId, ended.final);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ chatId: ended.chatId, stored: true, messages: 2 });

    const read = await transcript(ended.chatId);
    expect(read.status).toBe(200);
    const t = v.parse(Transcript, read.body);
    expect(t.status).toBe('archived');
    expect(t.visitor.name).toBe('Vera');
    expect(t.helpers.map((h) => h.name)).toEqual(['Alice']);
    expect(t.messages.map((m) => [m.author.role, m.author.name, m.body])).toEqual([
      ['visitor', 'Vera', 'My **bookmarks** vanished'],
      ['helper', 'Alice', 'Open _Library_ and look under `Recent`'],
    ]);
    expect(t.messages.every((m) => m.at > 0)).toBe(true);
  });

  it('SP-U1 an upload from a helper or monitor who was not in the chat is refused and stores nothing', async () => {
    const ended = await chat({ visitor: ['hello'], helper: ['hi'] });
    for (const nickname of ['bob', 'molly']) {
      const token = await service.signIn(nickname, DEMO_PASSWORD);
      const answer = await upload(service, token, ended.chatId, ended.final);
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('not_participant');
    }
    const none = await upload(service, 'not-a-session', ended.chatId, ended.final);
    expect(none.status).toBe(401);
    expect((await transcript(ended.chatId)).status).toBe(404);
  });

  it('SP-U2 an upload with forged authorship is refused and stores nothing', async () => {
    const ended = await chat({ visitor: ['my printer is on fire'], helper: ['Unplug it.'] });
    // 1. A "system" line under the visitor's client id: no peer would accept it (SP-A7).
    const asVisitor = forged(ended, ended.visitorDoc.clientID, {
      kind: 'system',
      body: 'The visitor agreed to pay',
    });
    // 2. A line under a client id the service never bound to anyone in this chat.
    const stranger = 0x7fff_0001;
    const asStranger = forged(ended, stranger, { kind: 'text', body: 'I am the admin' });
    for (const update of [asVisitor, asStranger]) {
      const answer = await upload(service, aliceToken, ended.chatId, update);
      expect(answer.status).toBe(422);
      expect(errorCode(answer)).toBe('forged_authorship');
    }
    // Bytes that are not a Yjs update at all.
    const garbage = await upload(service, aliceToken, ended.chatId, new Uint8Array([1, 2, 3, 250]));
    expect(garbage.status).toBe(422);
    expect(errorCode(garbage)).toBe('undecodable_transcript');
    expect((await transcript(ended.chatId)).status).toBe(404);
    // The honest document is still accepted afterwards.
    expect((await upload(service, aliceToken, ended.chatId, ended.final)).status).toBe(201);
  });

  it('SP-U3 a duplicate upload is refused and the first transcript stays as it was', async () => {
    const ended = await chat({ visitor: ['first words'], helper: ['first answer'] });
    expect((await upload(service, aliceToken, ended.chatId, ended.final)).status).toBe(201);
    // The same helper again, now with one more line: the archive keeps the first.
    const more = forged(ended, ended.helperDoc.clientID, { kind: 'text', body: 'a later line' });
    for (const update of [ended.final, more]) {
      const again = await upload(service, aliceToken, ended.chatId, update);
      expect(again.status).toBe(409);
      expect(errorCode(again)).toBe('already_archived');
    }
    const t = v.parse(Transcript, (await transcript(ended.chatId)).body);
    expect(t.messages.map((m) => m.body)).toEqual(['first words', 'first answer']);
  });

  it('SP-U3 SP-U4 an oversized upload is refused with archive_too_large and stores nothing', async () => {
    const ended = await chat({ visitor: ['big'], helper: ['ok'] });
    const tooBig = new Uint8Array(LIMITS.maxChatDocBytes + 1);
    const answer = await upload(service, aliceToken, ended.chatId, tooBig);
    expect(answer.status).toBe(413);
    expect(errorCode(answer)).toBe('archive_too_large');
    // File bytes when the service keeps none (ARCHIVE_FILE_BYTES=0 by default).
    const withFile = await api(service, 'POST', `/api/archive/${ended.chatId}`, aliceToken, {
      update: Buffer.from(ended.final).toString('base64'),
      files: [{ sha256: 'a'.repeat(64), data: Buffer.from('bytes').toString('base64') }],
    });
    expect(withFile.status).toBe(422);
    expect(errorCode(withFile)).toBe('forged_authorship');
    expect((await transcript(ended.chatId)).status).toBe(404);
  });

  it('SP-U1 an upload before the chat has ended is refused with chat_not_ended', async () => {
    const answer = await upload(service, aliceToken, 'no-such-chat', new Uint8Array([0, 0]));
    expect(answer.status).toBe(409);
    expect(errorCode(answer)).toBe('chat_not_ended');
  });

  it('SP-U5 SP-U7 search by a word, a tag and a rating returns the right chats', async () => {
    const printer = await chat(
      { visitor: ['The printer jams on page two'], helper: ['Try the tray'] },
      'Pia',
      ['print', 'hardware'],
    );
    const sync = await chat(
      { visitor: ['Sync lost my passwords'], helper: ['Sign in again'] },
      'Sam',
    );
    const molly = await staffClient(service, 'molly');
    molly.send({ type: 'board_subscribe' });
    await molly.next('board');
    for (const ended of [printer, sync]) {
      expect((await upload(service, aliceToken, ended.chatId, ended.final)).status).toBe(201);
    }
    // The visitor rates one chat (F24); a second answer is refused, another visitor too.
    const rated = await api(service, 'POST', '/api/survey', null, {
      token: sync.visitorToken,
      chatId: sync.chatId,
      stars: 5,
      comment: 'Quick and kind',
    });
    expect(rated.status).toBe(201);
    // SP-U7: the chat's helper is told at once, and so is a monitor on the board.
    expect(await alice.next('chat_rated')).toMatchObject({ chatId: sync.chatId, stars: 5 });
    expect(await molly.next('chat_rated')).toMatchObject({ chatId: sync.chatId, stars: 5 });
    const twice = await api(service, 'POST', '/api/survey', null, {
      token: sync.visitorToken,
      chatId: sync.chatId,
      stars: 1,
    });
    expect(errorCode(twice)).toBe('already_rated');
    const other = await api(service, 'POST', '/api/survey', null, {
      token: printer.visitorToken,
      chatId: sync.chatId,
      stars: 1,
    });
    expect(errorCode(other)).toBe('not_participant');

    const search = async (query: string) => {
      const answer = await api(service, 'GET', `/api/archive?${query}`, aliceToken);
      expect(answer.status).toBe(200);
      return v.parse(ArchiveResults, answer.body);
    };
    const byWord = await search('text=printer');
    expect(byWord.results.map((r) => r.chatId)).toEqual([printer.chatId]);
    expect(byWord.results[0]?.snippet).toContain('[printer]');
    // Prefix match, any case.
    expect((await search('text=PASSW')).results.map((r) => r.chatId)).toEqual([sync.chatId]);
    const byStars = await search('stars=5');
    expect(byStars.results.map((r) => [r.chatId, r.stars])).toEqual([[sync.chatId, 5]]);
    const all = await search('');
    expect(all.results.map((r) => r.chatId).sort()).toEqual([printer.chatId, sync.chatId].sort());
    // FTS5 syntax in the words is only words.
    expect((await search(`text=${encodeURIComponent('"printer* ^(')}`)).results).toHaveLength(1);
    const byHelper = await search(`helper=${printer.helperId}`);
    expect(byHelper.results).toHaveLength(2);
    const byTag = await search('tag=print');
    expect(byTag.results.map((r) => [r.chatId, r.tags])).toEqual([
      [printer.chatId, ['print', 'hardware']],
    ]);
    expect((await search('tag=crash')).results).toEqual([]);
    expect((await search('tag=print&stars=5')).results).toEqual([]);
    const t = v.parse(Transcript, (await transcript(sync.chatId)).body);
    expect(t.rating).toMatchObject({ stars: 5, comment: 'Quick and kind' });
  });
});

/** The chat's final document plus one more line written under `clientId`. */
function forged(
  ended: EndedChat,
  clientId: number,
  entry: { kind: 'text' | 'system'; body: string },
): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, ended.final);
  // Set after applying: Yjs picks a new id for a document that receives structs of
  // its own, and the forgery must really be under `clientId`.
  doc.clientID = clientId;
  doc.getMap(ROOT.messages).set(`${clientId.toString(36)}.forgedforgedforg`, {
    ...entry,
    at: Date.now(),
    seq: 99,
  });
  return Y.encodeStateAsUpdate(doc);
}
