/**
 * CH-V6: which lines of a whole chat document (the archive's final transcript) carry their
 * writer's signature, given the service's bindings with keys (SPEC.md SP-P4, SP-P6).
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  ChatDocument,
  generateSigningKeys,
  messageSigner,
  verifyTranscriptSignatures,
  type ListedWriter,
  type MessageSigner,
} from '../../../protocol/index.ts';

const CHAT = 'c-archive';
const VISITOR = 5;
const ALICE = 7;
const BOB = 9;

async function signer(): Promise<MessageSigner> {
  const { alg, keys } = await generateSigningKeys();
  return messageSigner(alg, keys);
}

/** Writes a signed line as a staff session does (CH-V2). */
async function writeSigned(doc: Y.Doc, client: number, s: MessageSigner, body: string) {
  doc.clientID = client;
  const chat = new ChatDocument(doc);
  const prepared = chat.prepareMessage({ kind: 'text', body }, 1_000, chat.highestSeq());
  if (!prepared.ok) throw new Error(prepared.code);
  const sig = await s.sign(CHAT, prepared.id, prepared.entry);
  const written = chat.writePrepared(prepared.id, { ...prepared.entry, sig });
  if (!written.ok) throw new Error(written.code);
  return prepared.id;
}

describe('transcript signatures', () => {
  it('CH-V6 the final document’s staff lines verify against the keys bound with their client ids; altered, unsigned and wrongly keyed ones do not', async () => {
    const alice = await signer();
    const bob = await signer();
    const doc = new Y.Doc();
    doc.clientID = VISITOR;
    new ChatDocument(doc).postMessage({ kind: 'text', body: 'Hello' }, 1);
    const good = await writeSigned(doc, ALICE, alice, 'Hi, Alice here');
    const altered = await writeSigned(doc, ALICE, alice, 'No refund');
    const wrongKey = await writeSigned(doc, BOB, alice, 'Signed with Alice’s key');
    doc.clientID = BOB;
    const unsigned = new ChatDocument(doc).postMessage({ kind: 'text', body: 'Unsigned' }, 2);
    if (!unsigned.ok) throw new Error(unsigned.code);
    // Whoever uploads the transcript rewrites one of Alice's lines.
    doc.clientID = BOB;
    const messages = doc.getMap('messages');
    messages.set(altered, { ...(messages.get(altered) as object), body: 'Refund approved' });

    const writers: ListedWriter[] = [
      { role: 'visitor', clientIds: [VISITOR] },
      { role: 'helper', clientIds: [ALICE], keys: [{ clientId: ALICE, ...alice.publicKey }] },
      { role: 'helper', clientIds: [BOB], keys: [{ clientId: BOB, ...bob.publicKey }] },
    ];
    const result = await verifyTranscriptSignatures(CHAT, Y.encodeStateAsUpdate(doc), writers);
    if (!result.ok) throw new Error(result.code);
    expect([...result.verified]).toEqual([good]);
    expect([...result.unverified].sort()).toEqual([altered, wrongKey, unsigned.id].sort());
    // The same lines in another chat's archive verify nothing (CH-V2 binds the chat id).
    const elsewhere = await verifyTranscriptSignatures(
      'c-other',
      Y.encodeStateAsUpdate(doc),
      writers,
    );
    expect(elsewhere.ok && elsewhere.verified.size).toBe(0);
  });

  it('CH-V6 CH-K2 bytes that are not a document are refused with a code, never thrown', async () => {
    expect(await verifyTranscriptSignatures(CHAT, new Uint8Array([1, 200, 3]), [])).toMatchObject({
      ok: false,
      code: 'undecodable',
    });
  });
});
