/**
 * Reassembly of chunked data-channel messages, one per link (CHAT.md CH-D3, CH-D8–CH-D11).
 * Bounded in every direction: bytes per message, messages in progress, and how
 * long a partial message may wait, counted in frames rather than in time so that
 * it is deterministic and needs no clock.
 */
import { LIMITS } from '../limits.ts';
import { refuse, type Refusal } from './chat-errors.ts';
import { decodeWireFrame } from './wire.ts';

type PartialMessage = {
  count: number;
  next: number;
  chunks: Uint8Array[];
  bytes: number;
  idle: number;
};

export type ReassemblyLimits = {
  maxMessageBytes: number;
  maxPartials: number;
  maxWaitFrames: number;
};

const DEFAULT_LIMITS: ReassemblyLimits = {
  maxMessageBytes: LIMITS.maxChatWireMessageBytes,
  maxPartials: LIMITS.maxPartialWireMessages,
  maxWaitFrames: LIMITS.maxReassemblyWaitFrames,
};

export class Reassembler {
  readonly #partials = new Map<number, PartialMessage>();
  readonly #limits: ReassemblyLimits;

  constructor(limits: Partial<ReassemblyLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Takes one frame. Returns the completed message, null while one is incomplete,
   * or a refusal, after which the link is to be closed (CH-C9). */
  push(bytes: Uint8Array): { ok: true; message: Uint8Array | null } | Refusal {
    const decoded = decodeWireFrame(bytes);
    if (!decoded.ok) return decoded;
    const { messageId, index, count, chunk } = decoded.frame;
    for (const [id, partial] of this.#partials) {
      if (id !== messageId && ++partial.idle > this.#limits.maxWaitFrames) {
        return refuse('reassembly_timeout', `message ${id} waited ${partial.idle} frames`);
      }
    }
    if (index === 0) {
      if (this.#partials.has(messageId)) {
        return refuse('chunk_out_of_order', `message ${messageId} started twice`);
      }
      if (count === 1) return this.#complete([chunk], chunk.length);
      if (this.#partials.size >= this.#limits.maxPartials) {
        return refuse('too_many_partials', `${this.#partials.size} messages in progress`);
      }
      this.#partials.set(messageId, {
        count,
        next: 1,
        chunks: [chunk],
        bytes: chunk.length,
        idle: 0,
      });
      return this.#checkSize(chunk.length, messageId);
    }
    const partial = this.#partials.get(messageId);
    if (partial === undefined || partial.next !== index || partial.count !== count) {
      return refuse('chunk_out_of_order', `chunk ${index}/${count} of message ${messageId}`);
    }
    partial.chunks.push(chunk);
    partial.bytes += chunk.length;
    partial.next++;
    partial.idle = 0;
    const size = this.#checkSize(partial.bytes, messageId);
    if (!size.ok || partial.next < partial.count) return size;
    this.#partials.delete(messageId);
    return this.#complete(partial.chunks, partial.bytes);
  }

  /** Messages in progress, for tests and diagnostics. */
  get partials(): number {
    return this.#partials.size;
  }

  #checkSize(bytes: number, id: number): { ok: true; message: null } | Refusal {
    return bytes > this.#limits.maxMessageBytes
      ? refuse(
          'wire_message_too_large',
          `message ${id} passed ${this.#limits.maxMessageBytes} bytes`,
        )
      : { ok: true, message: null };
  }

  #complete(chunks: Uint8Array[], bytes: number): { ok: true; message: Uint8Array } | Refusal {
    if (bytes > this.#limits.maxMessageBytes) {
      return refuse('wire_message_too_large', `${bytes} bytes`);
    }
    if (chunks.length === 1) return { ok: true, message: chunks[0]! };
    const out = new Uint8Array(bytes);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return { ok: true, message: out };
  }
}
