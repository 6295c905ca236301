/** Participants and documents shared by the chat-doc unit tests. */
import * as Y from 'yjs';
import { ChatDocument, ParticipantBindings, type UpdateSource } from '../../../protocol/index.ts';
import { seededRandom } from '../../fixtures/in-memory-network.ts';

export const CLIENT = { v: 11, v2: 12, h1: 21, h2: 22, m: 31, stranger: 99 } as const;

export const PARTICIPANTS = [
  { id: 'v', role: 'visitor' as const, clientIds: [CLIENT.v, CLIENT.v2] },
  { id: 'h1', role: 'helper' as const, clientIds: [CLIENT.h1] },
  { id: 'h2', role: 'helper' as const, clientIds: [CLIENT.h2] },
  { id: 'm', role: 'monitor' as const, clientIds: [CLIENT.m] },
];

export const bindings = new ParticipantBindings(PARTICIPANTS);

export function from(id: string, message: 'update' | 'step2' = 'update'): UpdateSource {
  return { sender: bindings.participant(id), bindings, message };
}

export function docOf(clientId: number): { doc: Y.Doc; chat: ChatDocument } {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const random = seededRandom(clientId);
  const chat = new ChatDocument(doc, {
    random: (len) => Uint8Array.from({ length: len }, () => Math.floor(random() * 256)),
  });
  return { doc, chat };
}

/** The update one local change produces. */
export function updateOf(doc: Y.Doc, change: () => void): Uint8Array {
  let out: Uint8Array | undefined;
  const capture = (update: Uint8Array): void => {
    out = update;
  };
  doc.on('update', capture);
  try {
    change();
  } finally {
    doc.off('update', capture);
  }
  if (!out) throw new Error('the change produced no update');
  return out;
}

/** Copies everything `source` has into `target` (trusted, test-side sync). */
export function syncInto(target: Y.Doc, source: Y.Doc): void {
  Y.applyUpdate(target, Y.encodeStateAsUpdate(source, Y.encodeStateVector(target)));
}
