/**
 * CH-X14: a chat's attachment bytes are freed once every chat holding them ended more
 * than the retention ago, whole files and partial downloads alike, on the real
 * IndexedDB code (fake-indexeddb; Chromium's own is driven by the e2e tests) and on
 * the memory store the widget falls back to.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  FILE_RETENTION_MS,
  forChat,
  memoryFileStore,
  openFileStore,
  type FileStore,
} from '../../../app/lib/files/file-store.ts';

let db = 0;
const stores: [string, () => Promise<FileStore>][] = [
  ['IndexedDB', () => openFileStore(new IDBFactory())],
  ['memory', async () => memoryFileStore()],
];

const bytes = (n: number) => new Uint8Array(n).fill(n % 251);

describe.each(stores)('CH-X14 file retention on the %s store', (_name, open) => {
  it("frees a chat's files and partial downloads the retention after it ended, keeping files a live chat holds", async () => {
    db += 1;
    const store = await open();
    const a = forChat(store, `chat-a-${db}`);
    const b = forChat(store, `chat-b-${db}`);
    await a.saveFile('only-a', bytes(10));
    await a.savePartial('partial-a', 0, [bytes(3), bytes(4)]);
    await a.saveFile('shared', bytes(20));
    // Chat b finds the shared file already stored: it claims it too.
    expect(await b.loadFile('shared')).toEqual(bytes(20));
    await b.saveFile('only-b', bytes(30));

    const endedAt = 1_000_000;
    await store.chatEnded(`chat-a-${db}`, endedAt);
    // Within the retention nothing goes.
    expect(await store.sweep(endedAt + FILE_RETENTION_MS - 1)).toEqual([]);
    expect(await store.loadFile('only-a')).toEqual(bytes(10));

    const freed = await store.sweep(endedAt + FILE_RETENTION_MS);
    expect(freed.sort()).toEqual(['only-a', 'partial-a']);
    expect(await store.loadFile('only-a')).toBeNull();
    expect(await store.loadPartial('partial-a')).toEqual([]);
    expect(await store.loadFile('shared')).toEqual(bytes(20));
    expect(await store.loadFile('only-b')).toEqual(bytes(30));

    // Once b ends too, the rest goes after its own retention.
    await store.chatEnded(`chat-b-${db}`, endedAt + 10);
    expect(await store.sweep(endedAt + 10 + FILE_RETENTION_MS - 1)).toEqual([]);
    expect((await store.sweep(endedAt + 10 + FILE_RETENTION_MS)).sort()).toEqual([
      'only-b',
      'shared',
    ]);
    expect(await store.loadFile('shared')).toBeNull();
    store.close();
  });

  it('frees bytes no chat claims (stored before claims existed)', async () => {
    const store = await open();
    await store.saveFile('orphan', bytes(5));
    await forChat(store, 'live-chat').saveFile('kept', bytes(6));
    expect(await store.sweep(0)).toEqual(['orphan']);
    expect(await store.loadFile('kept')).toEqual(bytes(6));
    store.close();
  });
});
