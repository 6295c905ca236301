/**
 * A visitor's answer to sync step 1 (CHAT.md CH-C4): the structs and deletes of the
 * visitor's own client ids that the asker lacks, and nothing else. Receivers
 * refuse a visitor's update that carries anyone else's structs or deletes (CH-A2,
 * CH-A3), and Y.encodeStateAsUpdate always writes the whole delete set, so the
 * visitor writes its update itself.
 *
 * This mirrors writeClientsStructs / writeDeleteSet of yjs 13.6
 * (src/utils/encoding.js, DeleteSet.js), which yjs does not export; the unit test
 * checks it against Y.encodeStateAsUpdate byte for byte.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

export function encodeOwnStateAsUpdate(
  doc: Y.Doc,
  own: ReadonlySet<number>,
  target: ReadonlyMap<number, number>,
): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  const store = doc.store;
  const clients: [number, number][] = [];
  for (const [client, structs] of store.clients) {
    if (!own.has(client) || structs.length === 0) continue;
    const from = target.get(client) ?? 0;
    if (Y.getState(store, client) > from) clients.push([client, from]);
  }
  // Higher client ids first, as Yjs writes them (it helps its conflict resolution).
  clients.sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(encoder.restEncoder, clients.length);
  for (const [client, from] of clients) {
    const structs = store.clients.get(client)!;
    const clock = Math.max(from, structs[0]!.id.clock);
    const start = Y.findIndexSS(structs, clock);
    encoding.writeVarUint(encoder.restEncoder, structs.length - start);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, clock);
    const first = structs[start]!;
    first.write(encoder, clock - first.id.clock);
    for (let i = start + 1; i < structs.length; i++) structs[i]!.write(encoder, 0);
  }
  const deletes = [...Y.createDeleteSetFromStructStore(store).clients]
    .filter(([client]) => own.has(client))
    .sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(encoder.restEncoder, deletes.length);
  for (const [client, items] of deletes) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, items.length);
    for (const item of items) {
      encoder.writeDsClock(item.clock);
      encoder.writeDsLen(item.len);
    }
  }
  return encoder.toUint8Array();
}
