/**
 * Benchmark S8 (issue 11): a session looks for attachments (F13, CHAT.md CH-X2) in the
 * messages written since its last look, not in the whole chat on every change. These
 * fail if a new attachment is missed or if a change reads every message again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { sha256Hex } from '../../../app/lib/files/file-checks.ts';
import { CLIENT, docOf } from '../chat-doc/chat-doc-fixture.ts';
import { openSession, until, ALICE, VERA, serviceWith } from './fake-world.ts';

const sessions: ChatSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.destroy();
});

describe('attachments are looked for in new messages only', () => {
  it('ChatDocument.onMessagesWritten names what each transaction wrote, deletions left out', () => {
    const { doc, chat } = docOf(CLIENT.v);
    const written: string[][] = [];
    const off = chat.onMessagesWritten((ids) => written.push(ids));
    const one = chat.postMessage({ kind: 'text', body: 'one' }, 1);
    doc.transact(() => {
      chat.postMessage({ kind: 'text', body: 'two' }, 2);
      chat.postMessage({ kind: 'text', body: 'three' }, 3);
    });
    if (!one.ok) throw new Error('post');
    chat.deleteMessage(one.id);
    off();
    chat.postMessage({ kind: 'text', body: 'four' }, 4);
    expect(written.map((ids) => ids.length)).toEqual([1, 2]);
    expect(written[0]).toEqual([one.id]);
  });

  it('CH-X2 an attachment after many messages is found, without reading the chat again', async () => {
    const service = serviceWith(VERA, ALICE);
    const vera = await openSession(service, VERA);
    const alice = await openSession(service, ALICE);
    sessions.push(vera, alice);
    await until('both live', () => vera.state.status === 'live' && alice.state.status === 'live');
    // Every read of the whole chat from here on is counted (nobody renders a view).
    const chat = alice.replica.chat;
    const whole = chat.messages.bind(chat);
    let wholeReads = 0;
    chat.messages = (...args) => (wholeReads++, whole(...args));
    for (let i = 0; i < 40; i++) expect(vera.send(`line ${i}`).ok).toBe(true);
    const bytes = new TextEncoder().encode('a small file');
    const attachment = {
      name: 'note.txt',
      mime: 'text/plain',
      bytes: bytes.byteLength,
      sha256: await sha256Hex(bytes),
    };
    expect((await vera.attach(attachment, bytes)).ok).toBe(true);
    await until('alice knows the file', () => alice.files.view(attachment.sha256) !== null);
    expect(wholeReads).toBe(0);
  });
});
