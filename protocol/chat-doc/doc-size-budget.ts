/**
 * The chat document's size cap (LIMITS.maxChatDocBytes). Encoding the whole
 * document on every update would cost milliseconds for a long chat, so the
 * budget keeps an upper bound (last exact size plus the bytes of every update
 * since, some of which overlap) and measures exactly only when that bound
 * reaches the cap.
 */
import * as Y from 'yjs';
import { LIMITS } from '../limits.ts';

export class DocSizeBudget {
  #estimate: number;
  readonly #onUpdate = (update: Uint8Array): void => {
    this.#estimate += update.length;
  };

  constructor(
    private readonly doc: Y.Doc,
    readonly maxBytes: number = LIMITS.maxChatDocBytes,
  ) {
    this.#estimate = Y.encodeStateAsUpdate(doc).length;
    doc.on('update', this.#onUpdate);
  }

  /** Whether `extra` more bytes keep the document within the cap. */
  admits(extra: number): boolean {
    if (this.#estimate + extra <= this.maxBytes) return true;
    this.#estimate = Y.encodeStateAsUpdate(this.doc).length;
    return this.#estimate + extra <= this.maxBytes;
  }

  destroy(): void {
    this.doc.off('update', this.#onUpdate);
  }
}
