/**
 * The permission filter's fast reader (benchmark S6): it walks a Yjs v1 update in
 * place (yjs 13.6 src/utils/updates.js `lazyStructReaderGenerator`, Item.js
 * `contentRefs`, DeleteSet.js `readDeleteSet`; lib0 `decoding.readAny`) and builds no
 * Yjs structs. A receiver decodes every accepted update again when it applies it, so
 * the filter's own decode into Items was paid twice.
 *
 * It answers one question: may the filter accept these bytes without asking Yjs? Yes
 * only when both hold:
 * - `Y.decodeUpdate` would decode them without throwing: every read stays inside the
 *   bytes, strings are valid UTF-8 (lib0 decodes them with a fatal decoder), value
 *   tags are lib0's, and the content is one of the kinds the chat writes (values, a
 *   deletion) or a GC or skip; the walk follows the bytes exactly as Yjs reads them;
 * - every rule of the filter passes, judged by the same code (visitor-write-rules.ts)
 *   on the same values (a visitor's values are decoded by lib0's own `readAny`).
 * Anything else, a refusal included, is not its call: the filter then decodes with
 * Yjs and gives the verdict with its reason.
 */
import * as decoding from 'lib0/decoding';
import { LIMITS } from '../limits.ts';
import { ROOT } from './chat-schema.ts';
import type { BoundParticipant, ParticipantBindings } from './participant-bindings.ts';
import type { UpdateSource } from './update-source.ts';
import {
  checkSeqBound,
  checkVisitorItem,
  isMessageEntry,
  type StructId,
} from './visitor-write-rules.ts';

/** Thrown inside the walk when it cannot vouch for the bytes; never escapes. */
const DEFER = new Error('not vouched for by the scan');

const ORIGIN = 0x80; // info BIT8: the struct has an origin
const RIGHT_ORIGIN = 0x40; // BIT7: a right origin
const PARENT_SUB = 0x20; // BIT6: a map key (only without origins)
const CONTENT = 0x1f; // BITS5: the content kind
const CONTENT_DELETED = 1;
const CONTENT_ANY = 8;
const SKIP = 10;
// lib0 writeAny tags.
const VAR_INT = 125;
const FLOAT32 = 124;
const FLOAT64 = 123;
const STRING = 119;
const OBJECT = 118;
const DOT = 0x2e;
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const TEXT = ascii('text');
const KEY_KIND = 1;
const KEY_BODY = 2;
const KEY_AT = 4;
const KEY_SEQ = 8;
const PLAIN_KEYS: ReadonlyArray<[number, Uint8Array]> = [
  [KEY_KIND, ascii('kind')],
  [KEY_BODY, ascii('body')],
  [KEY_SEQ, ascii('seq')],
];
/** Nesting lib0 would follow; deeper values are left to Yjs (and its stack). */
const MAX_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True only when the filter may accept `update` from `source` without decoding it. */
export function scanAccepts(update: Uint8Array, source: UpdateSource): boolean {
  const sender = source.sender;
  if (sender === undefined || sender.role === 'monitor') return false;
  try {
    return new UpdateScan(update, sender, source).run();
  } catch {
    return false;
  }
}

class UpdateScan {
  readonly #d: decoding.Decoder;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #sender: BoundParticipant;
  readonly #bindings: ParticipantBindings;
  readonly #bound: UpdateSource['seqBound'];
  /** CH-S8, for a visitor sender: the seqs its message entries claim, and deletions carried. */
  readonly #seqs: number[] = [];
  #carried = 0;

  constructor(bytes: Uint8Array, sender: BoundParticipant, source: UpdateSource) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#d = decoding.createDecoder(bytes);
    this.#sender = sender;
    this.#bindings = source.bindings;
    this.#bound = sender.role === 'visitor' ? source.seqBound : undefined;
  }

  run(): boolean {
    const visitorSender = this.#sender.role === 'visitor';
    const groups = this.#uint();
    for (let g = 0; g < groups; g++) {
      const count = this.#uint();
      const client = this.#uint();
      let clock = this.#uint();
      if (count === 0) continue;
      const author = this.#bindings.author(client);
      if (visitorSender && author?.id !== this.#sender.id) return false;
      if (author?.role === 'monitor') return false;
      const owner = author?.role === 'visitor' ? author : undefined;
      for (let i = 0; i < count; i++) clock += this.#struct(client, clock, owner);
    }
    // The delete set: a visitor deletes only structs of its own clients (CH-A6).
    const clients = this.#uint();
    for (let c = 0; c < clients; c++) {
      const client = this.#uint();
      const deletes = this.#uint();
      if (deletes > 0 && visitorSender && !this.#sender.clientIds.has(client)) return false;
      for (let i = 0; i < deletes; i++) {
        this.#uint();
        this.#uint();
      }
    }
    if (this.#bound !== undefined) {
      return checkSeqBound(this.#seqs, this.#carried, this.#bound).ok;
    }
    return true;
  }

  /** Reads one struct; returns its length in clock ticks. `owner`: its visitor author. */
  #struct(client: number, clock: number, owner: BoundParticipant | undefined): number {
    const info = this.#byte();
    if (info === SKIP) return this.#uint();
    const kind = info & CONTENT;
    if (kind === 0) return this.#uint(); // GC
    if (kind !== CONTENT_ANY && kind !== CONTENT_DELETED) throw DEFER;
    const origin = (info & ORIGIN) !== 0 ? this.#id() : null;
    const rightOrigin = (info & RIGHT_ORIGIN) !== 0 ? this.#id() : null;
    let parent: string | StructId | null = null;
    let parentSub: string | null = null;
    if (origin === null && rightOrigin === null) {
      if (this.#uint() !== 1) parent = this.#id();
      else if (owner !== undefined) parent = this.#string();
      else this.#skipString();
      if ((info & PARENT_SUB) !== 0) {
        if (owner === undefined) this.#skipString();
        else if (parent === ROOT.messages && kind === CONTENT_ANY) {
          // A visitor's message, the common struct: judged from the bytes (#plainMessage).
          const keyAt = this.#d.pos;
          this.#skipString();
          if (this.#uint() === 1 && this.#ownKey(keyAt, client)) {
            const seq = this.#plainMessage();
            if (seq !== null) {
              if (this.#bound !== undefined) this.#seqs.push(seq);
              return 1;
            }
          }
          this.#d.pos = keyAt;
          parentSub = this.#string();
        } else parentSub = this.#string();
      }
    }
    const len = this.#uint();
    if (kind === CONTENT_DELETED) {
      if (owner === undefined) return len;
      if (parent === ROOT.messages) this.#carried += len;
      const view = { id: { client, clock }, origin, rightOrigin, parent, parentSub };
      if (!checkVisitorItem({ ...view, content: 'deleted', values: [] }, owner).ok) throw DEFER;
      return len;
    }
    if (owner === undefined) {
      for (let i = 0; i < len; i++) this.#skipAny(0);
      return len;
    }
    const values: unknown[] = [];
    for (let i = 0; i < len; i++) values.push(this.#any());
    const view = { id: { client, clock }, origin, rightOrigin, parent, parentSub };
    if (!checkVisitorItem({ ...view, content: 'any', values }, owner).ok) throw DEFER;
    if (this.#bound !== undefined) {
      for (const value of values) if (isMessageEntry(value)) this.#seqs.push(value.seq);
    }
    return len;
  }

  /**
   * Whether the message key at `at` (a length, then ASCII) lies in `client`'s key space:
   * `messageIdClient(key) === client` (chat-schema.ts), read from the bytes.
   */
  #ownKey(at: number, client: number): boolean {
    const bytes = this.#bytes;
    const length = bytes[at]!;
    if (length >= 0x80) return false;
    let prefix = 0;
    for (let i = at + 1; i < at + 1 + length && i <= at + 8; i++) {
      const c = bytes[i]!;
      if (c === DOT) return i > at + 1 && prefix <= 0xffff_ffff && prefix === client;
      const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x7a ? c - 0x57 : -1;
      if (digit < 0) return false;
      prefix = prefix * 36 + digit;
    }
    return false;
  }

  /**
   * One value that is a plain visitor message, `{kind: 'text', body, at, seq}` with each
   * key once and nothing else (what `isPlainMessageEntry` accepts and CH-A7 lets a
   * visitor write), read without making it: its `seq`, or null (position then
   * undefined) for anything else, which the caller decodes and judges in full.
   */
  #plainMessage(): number | null {
    if (this.#byte() !== OBJECT || this.#uint() !== 4) return null;
    let seen = 0;
    let seq = 0;
    for (let i = 0; i < 4; i++) {
      const key = this.#plainKey();
      if (key === 0 || (seen & key) !== 0) return null;
      seen |= key;
      if (key === KEY_KIND) {
        if (this.#byte() !== STRING || !this.#bytesAre(TEXT)) return null;
      } else if (key === KEY_BODY) {
        if (this.#byte() !== STRING) return null;
        const length = this.#uint();
        // UTF-8 takes at least a byte per UTF-16 unit: a body this long is short enough.
        if (length > LIMITS.maxChatMessageLength) return null;
        this.#checkUtf8(length);
      } else {
        const n = this.#number();
        if (n === null || !Number.isSafeInteger(n) || n < (key === KEY_SEQ ? 1 : 0)) return null;
        if (key === KEY_SEQ) seq = n;
      }
    }
    return seq;
  }

  /** A key of a plain message, as its bit, or 0. */
  #plainKey(): number {
    const length = this.#uint();
    const d = this.#d;
    const start = d.pos;
    this.#skip(length);
    const bytes = this.#bytes;
    if (length === 2) return bytes[start] === 0x61 && bytes[start + 1] === 0x74 ? KEY_AT : 0;
    if (length !== 3 && length !== 4) return 0;
    for (const [key, name] of PLAIN_KEYS) {
      if (name.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) same &&= bytes[start + i] === name[i];
      if (same) return key;
    }
    return 0;
  }

  /** A string whose bytes are exactly `expected`. */
  #bytesAre(expected: Uint8Array): boolean {
    if (this.#uint() !== expected.length) return false;
    const start = this.#d.pos;
    this.#skip(expected.length);
    for (let i = 0; i < expected.length; i++) {
      if (this.#bytes[start + i] !== expected[i]) return false;
    }
    return true;
  }

  /** A number as lib0 `readAny` reads it (varInt, float32, float64), or null. */
  #number(): number | null {
    const tag = this.#byte();
    const d = this.#d;
    if (tag === FLOAT64 || tag === FLOAT32) {
      const at = d.pos;
      this.#skip(tag === FLOAT64 ? 8 : 4);
      return tag === FLOAT64 ? this.#view.getFloat64(at, false) : this.#view.getFloat32(at, false);
    }
    if (tag !== VAR_INT) return null;
    // lib0 readVarInt: 6 bits and a sign in the first byte, then 7 bits a byte.
    let byte = this.#byte();
    const negative = (byte & 0x40) !== 0;
    let value = byte & 0x3f;
    let scale = 64;
    for (let i = 0; byte >= 0x80; i++) {
      if (i === 6) return null;
      byte = this.#byte();
      value += (byte & 0x7f) * scale;
      scale *= 128;
    }
    return negative ? -value : value;
  }

  #id(): StructId {
    const client = this.#uint();
    return { client, clock: this.#uint() };
  }

  #byte(): number {
    const d = this.#d;
    if (d.pos >= this.#bytes.length) throw DEFER;
    return this.#bytes[d.pos++]!;
  }

  /** lib0 `readVarUint`, for values it reads without overflow (at most 2^49). */
  #uint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const byte = this.#byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw DEFER;
  }

  /** `count` bytes, which must all be there. */
  #skip(count: number): void {
    const d = this.#d;
    if (count > this.#bytes.length - d.pos) throw DEFER;
    d.pos += count;
  }

  /** lib0 `readVarString`: a length, then UTF-8 that its fatal decoder accepts. */
  #string(): string {
    const length = this.#uint();
    const d = this.#d;
    const start = d.pos;
    this.#skip(length);
    return utf8.decode(this.#bytes.subarray(start, start + length));
  }

  /** A string checked as `#string` checks it, without making it. */
  #skipString(): void {
    this.#checkUtf8(this.#uint());
  }

  /** Passes `length` bytes that lib0's fatal UTF-8 decoder takes (throws if it would not). */
  #checkUtf8(length: number): void {
    const d = this.#d;
    const start = d.pos;
    this.#skip(length);
    const bytes = this.#bytes;
    for (let i = start; i < start + length; i++) {
      if (bytes[i]! >= 0x80) {
        utf8.decode(bytes.subarray(start, start + length));
        return;
      }
    }
  }

  /** lib0 `readAny` itself, after checking that it reads the value in full and safely. */
  #any(): unknown {
    const d = this.#d;
    const start = d.pos;
    this.#skipAny(0);
    const end = d.pos;
    d.pos = start;
    const value: unknown = decoding.readAny(d);
    if (d.pos !== end) throw DEFER;
    return value;
  }

  /** Walks one lib0 `writeAny` value (tags 116–127) as `readAny` reads it. */
  #skipAny(depth: number): void {
    if (depth > MAX_DEPTH) throw DEFER;
    const tag = this.#byte();
    switch (tag) {
      case 127: // undefined
      case 126: // null
      case 121: // false
      case 120: // true
        return;
      case 125: // a varInt, as small as lib0 reads without overflow
        for (let i = 0; i < 7; i++) if (this.#byte() < 0x80) return;
        throw DEFER;
      case 124: // float32
        return this.#skip(4);
      case 123: // float64
      case 122: // bigint64
        return this.#skip(8);
      case 119:
        return this.#skipString();
      case 118: {
        const entries = this.#uint();
        for (let i = 0; i < entries; i++) {
          this.#skipString();
          this.#skipAny(depth + 1);
        }
        return;
      }
      case 117: {
        const items = this.#uint();
        for (let i = 0; i < items; i++) this.#skipAny(depth + 1);
        return;
      }
      case 116: // bytes
        return this.#skip(this.#uint());
      default:
        throw DEFER;
    }
  }
}
