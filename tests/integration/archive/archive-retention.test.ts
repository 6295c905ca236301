/**
 * The archive's sweep on a real SQLite database with a fake clock (SPEC.md SP-U8, SP-U9):
 * an ended chat nobody uploaded is marked "not archived" after 10 minutes, and
 * retention deletes transcripts and ratings older than the setting, keeping newer ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatDocument } from '../../../protocol/index.ts';
import {
  NOT_ARCHIVED_AFTER_MS,
  createTranscriptArchive,
  type ArchiveSettings,
} from '../../../signal/archive/transcript-archive.ts';
import type { OpenChatRecord } from '../../../signal/core/records.ts';
import { createLogger } from '../../../signal/log.ts';
import { ArchiveStore } from '../../../signal/storage/archive-store.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../signal/storage/sqlite-storage.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('archive sweep', () => {
  let dir: string;
  let storage: SqliteStorage;
  let clock: number;
  const settings: ArchiveSettings = { archiveRetentionDays: 30, archiveFileBytes: 0 };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peerdesk-archive-'));
    storage = openSqliteStorage(join(dir, 'peerdesk.sqlite'));
    clock = Date.UTC(2026, 0, 1);
  });
  afterEach(() => {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const archive = () =>
    createTranscriptArchive({
      store: new ArchiveStore(storage.database),
      settings: () => settings,
      now: () => clock,
      log: createLogger({ level: 'silent' }),
    });

  /** A chat that ended now, with a helper and a visitor bound to fresh client ids. */
  function endChat(chatId: string, words: string): Uint8Array {
    const visitorDoc = new Y.Doc();
    const helperDoc = new Y.Doc();
    new ChatDocument(visitorDoc).postMessage({ kind: 'text', body: words }, clock);
    Y.applyUpdate(helperDoc, Y.encodeStateAsUpdate(visitorDoc));
    new ChatDocument(helperDoc).postMessage({ kind: 'text', body: 'Thanks' }, clock + 1);
    const record: OpenChatRecord = {
      chatId,
      visitor: { visitorId: `v-${chatId}`, firstVisitAt: 1, firstLandingPage: 'https://h/' },
      ip: '203.0.113.9',
      details: {
        name: 'Vera',
        email: null,
        department: 'general',
        question: words,
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
      participants: [
        { id: `v-${chatId}`, role: 'visitor', name: 'Vera', clientIds: [visitorDoc.clientID] },
        { id: 'alice', role: 'helper', name: 'Alice', clientIds: [helperDoc.clientID] },
      ],
    };
    storage.apply({ op: 'open_chat', chat: record });
    storage.apply({ op: 'close_chat', chatId, outcome: 'ended', at: clock, chat: record });
    return Y.encodeStateAsUpdate(helperDoc);
  }

  const upload = (chatId: string, update: Uint8Array) =>
    archive().upload('alice', chatId, { update: Buffer.from(update).toString('base64') });

  it('SP-U8 an ended chat nobody uploaded is marked not archived after 10 minutes, and stays findable', async () => {
    endChat('lost', 'nobody kept this');
    expect(archive().sweep().notArchived).toBe(0);
    clock += NOT_ARCHIVED_AFTER_MS - 1;
    expect(archive().sweep().notArchived).toBe(0);
    clock += 1;
    expect(archive().sweep().notArchived).toBe(1);
    const t = archive().transcript('lost');
    expect(t).toMatchObject({ status: 'not_archived', messages: [], visitor: { name: 'Vera' } });
    const found = archive().search({ text: 'Vera' });
    expect('results' in found && found.results.map((r) => [r.chatId, r.status])).toEqual([
      ['lost', 'not_archived'],
    ]);
    // A helper's late upload still archives it.
    const late = endChat('late', 'late words');
    clock += NOT_ARCHIVED_AFTER_MS;
    archive().sweep();
    expect(archive().transcript('late')?.status).toBe('not_archived');
    expect((await upload('late', late)).ok).toBe(true);
    expect(archive().transcript('late')?.status).toBe('archived');
  });

  it('SP-U9 retention deletes transcripts and ratings older than the setting and keeps newer ones', async () => {
    const old = endChat('old', 'an old printer question');
    expect((await upload('old', old)).ok).toBe(true);
    expect(archive().rate('v-old', 'old', 4, null).ok).toBe(true);
    clock += 20 * DAY;
    const recent = endChat('recent', 'a recent sync question');
    expect((await upload('recent', recent)).ok).toBe(true);
    expect(archive().rate('v-recent', 'recent', 2, 'slow').ok).toBe(true);

    clock += 10 * DAY; // "old" ended 30 days ago: not yet older than 30 days
    expect(archive().sweep().deleted).toBe(0);
    clock += 1;
    expect(archive().sweep().deleted).toBe(1);
    expect(archive().transcript('old')).toBeNull();
    expect(archive().rating('old')).toBeNull();
    const words = archive().search({ text: 'printer' });
    expect('results' in words && words.results).toEqual([]);
    expect(archive().transcript('recent')?.rating?.stars).toBe(2);

    // 0 days keeps none: the next sweep deletes everything, and uploads are not stored.
    settings.archiveRetentionDays = 0;
    expect(archive().sweep().deleted).toBe(1);
    const next = endChat('next', 'kept by nobody');
    const answer = await upload('next', next);
    expect(answer.ok && answer.value.stored).toBe(false);
    expect(archive().transcript('next')).toBeNull();
    settings.archiveRetentionDays = 30;
  });
});
