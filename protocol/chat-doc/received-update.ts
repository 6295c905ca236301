/**
 * Applying a peer's update without Yjs encoding it again (benchmark S6). For every
 * transaction, Yjs encodes what changed for the document's `update` listeners; for a
 * 10,000-message transcript (a sync step 2) that encoding was a quarter of the load's
 * CPU (11 of 44 ms), for listeners that do not need it: the store keeps the bytes, the
 * size budget counts them, views only hear that something changed. They get the
 * received bytes instead, which hold every struct the apply integrated (and maybe some
 * the document had: a store or a budget takes more bytes than needed, never fewer).
 *
 * Yjs's own encoding stays wherever it can differ in what matters:
 * - the caller relays what it applied (CH-C5): only what was new goes on, so a mesh of
 *   helpers does not send duplicates around;
 * - structs are pending (missing what they follow): the apply may integrate ones that
 *   came earlier, which the received bytes do not hold;
 * - a transaction other than the apply's starts meanwhile (an observer writing): the
 *   listeners are back before it starts, and hear it from Yjs (and the apply's too, when
 *   Yjs had not yet encoded it);
 * - the apply throws: whatever it integrated is encoded from the document.
 */
import * as Y from 'yjs';

type UpdateListener = (update: Uint8Array, origin: unknown, doc: Y.Doc, tr: Y.Transaction) => void;

/** Applies `update` (already filtered) as `Y.applyUpdate` does, telling `update` listeners
 * the received bytes rather than Yjs's encoding of the transaction, unless `relayed`. */
export function applyReceivedUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  origin: unknown,
  relayed: boolean,
): void {
  // lib0's Observable keeps each event's listeners in one set; Yjs encodes only when
  // the `update` event has one (yjs 13.6 cleanupTransactions).
  const observers = doc._observers as Map<string, Set<UpdateListener>>;
  const listeners = observers.get('update');
  const pending = doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
  // Inside a caller's transaction the apply joins it, and Yjs encodes it all at its end.
  if (relayed || listeners === undefined || pending || doc._transaction !== null) {
    Y.applyUpdate(doc, update, origin);
    return;
  }
  /** The apply's transaction: the first to begin (Y.applyUpdate opens one at once). */
  let applying: Y.Transaction | null = null;
  /** Whether Yjs told the listeners of the apply's transaction itself. */
  let told = false;
  const sentinel: UpdateListener = (_update, _origin, _doc, tr) => {
    if (tr === applying) told = true;
  };
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    // Listeners added meanwhile stay, beside the ones taken out.
    const added = observers.get('update');
    observers.set('update', listeners);
    if (added !== undefined) for (const listener of added) listeners.add(listener);
    listeners.add(sentinel);
    doc.off('beforeTransaction', onBegin);
  };
  const onBegin = (tr: Y.Transaction): void => {
    if (applying === null) applying = tr;
    else restore();
  };
  doc.on('beforeTransaction', onBegin);
  observers.delete('update');
  let threw = true;
  try {
    Y.applyUpdate(doc, update, origin);
    threw = false;
  } finally {
    restore();
    listeners.delete(sentinel);
    const tr = applying as Y.Transaction | null;
    if (!told && tr !== null && changed(tr)) {
      // What a failed apply integrated is taken from the document, not from its bytes.
      const bytes = threw
        ? Y.encodeStateAsUpdate(doc, Y.encodeStateVector(tr.beforeState))
        : update;
      for (const listener of [...listeners]) listener(bytes, origin, doc, tr);
    }
  }
}

/** Whether Yjs would emit an update for `tr` (yjs writeUpdateMessageFromTransaction). */
function changed(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of tr.afterState)
    if (tr.beforeState.get(client) !== clock) return true;
  return false;
}
