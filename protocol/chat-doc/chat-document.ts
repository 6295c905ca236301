/**
 * Typed reads and writes of the chat document (CHAT.md "The document"). Nothing
 * else names a root type: callers go through here, and every read decodes with
 * the schema, skipping what does not parse (a helper's bug must not break the
 * view of everyone else).
 */
import * as v from 'valibot';
import type * as Y from 'yjs';
import { LIMITS } from '../limits.ts';
import { refuse, type Refusal } from './chat-errors.ts';
import {
  isPlainMessageEntry,
  MessageEntry,
  META,
  ReadEntry,
  ROOT,
  TagEntry,
  messageIdClient,
  TagName,
  type Attachment,
  type MessageId,
  type MessageKind,
  type MetaKey,
  type MetaValue,
} from './chat-schema.ts';
import type { DocSizeBudget } from './doc-size-budget.ts';
import type { BoundParticipant, ParticipantBindings } from './participant-bindings.ts';

export type NewMessage = {
  kind: MessageKind;
  body: string;
  page?: MessageEntry['page'];
  attachment?: Attachment;
};

/** A message as the UI shows it: the entry, its id and its author from the bindings. */
export type ChatMessage = MessageEntry & {
  id: MessageId;
  /** The Yjs client id of the struct holding the entry: who wrote it. */
  authorClient: number;
  /** The participant bound to authorClient; undefined while the binding is unknown. */
  author: BoundParticipant | undefined;
};

export type RandomBytes = (length: number) => Uint8Array;

const defaultRandom: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** How far ahead of this document's own highest `seq` an outside one is followed. */
const MAX_SEQ_LEAD = 100_000;

/** Room for the struct's header, key and JSON around a body, when checking the budget. */
const ENTRY_OVERHEAD_BYTES = 512;

export class ChatDocument {
  readonly #messages: Y.Map<unknown>;
  readonly #reads: Y.Map<unknown>;
  readonly #meta: Y.Map<unknown>;
  readonly #tags: Y.Map<unknown>;
  /**
   * The highest valid `seq` among the messages, or null when it must be counted
   * again. Scanning every message on each post made a long chat's writes O(n)
   * (10,000 messages: 140 µs a post, tests/bench S6), so an observer keeps it as
   * messages arrive; a delete or an overwrite may lower it, and counts again.
   */
  #highest: number | null = null;
  /** How many message entries are deleted (CH-S8), or null when it must be counted again. */
  #deleted: number | null = null;
  /**
   * Each message's decoded entry (or null: it does not parse), by the Yjs item that
   * holds it. An item's content never changes (an overwrite makes a new item), so a
   * read decodes only entries it has not seen: a view of a 2,000-message chat is
   * rebuilt on every change, and decoding them all each time cost most of a chat
   * switch (benchmark S8).
   */
  readonly #decoded = new WeakMap<Y.Item, MessageEntry | null>();

  constructor(
    readonly doc: Y.Doc,
    private readonly options: { random?: RandomBytes; budget?: DocSizeBudget } = {},
  ) {
    this.#messages = doc.getMap(ROOT.messages);
    this.#reads = doc.getMap(ROOT.reads);
    this.#meta = doc.getMap(ROOT.meta);
    this.#tags = doc.getMap(ROOT.tags);
    this.#messages.observe(this.#onMessages);
  }

  /** A fresh id in this replica's key space (see MessageId). */
  newMessageId(): MessageId {
    const bytes = (this.options.random ?? defaultRandom)(16);
    let random = '';
    for (const b of bytes) random += ID_ALPHABET[b & 63];
    return `${this.doc.clientID.toString(36)}.${random}`;
  }

  /** `seenSeq`: a `seq` seen outside this document (CH-K6: the earlier history's). */
  postMessage(input: NewMessage, at: number, seenSeq = 0): { ok: true; id: MessageId } | Refusal {
    const prepared = this.prepareMessage(input, at, seenSeq);
    return prepared.ok ? this.#write(prepared.id, prepared.entry) : prepared;
  }

  /** CH-V2: the id and entry a message will have, so a writer can sign them before writing. */
  prepareMessage(
    input: NewMessage,
    at: number,
    seenSeq = 0,
  ): { ok: true; id: MessageId; entry: MessageEntry } | Refusal {
    if (input.body.length > LIMITS.maxChatMessageLength) {
      return refuse('message_too_long', `${input.body.length} characters`);
    }
    // Absent optional fields are left out, not stored as `undefined`.
    const draft: Record<string, unknown> = { kind: input.kind, body: input.body, at };
    const highest = this.#highestSeq();
    // A seq from outside counts only within reach of ours: it is someone's claim.
    draft['seq'] = Math.max(highest, Math.min(seenSeq, highest + MAX_SEQ_LEAD)) + 1;
    if (input.page) draft['page'] = input.page;
    if (input.attachment) draft['attachment'] = input.attachment;
    const entry = v.safeParse(MessageEntry, draft);
    if (!entry.success) return refuse('invalid_entry', entry.issues[0].message);
    // 96 random bits make a collision unlikely; a broken random source must still
    // not overwrite a message.
    let id = this.newMessageId();
    while (this.#messages._map.has(id)) id = this.newMessageId();
    return { ok: true, id, entry: entry.output };
  }

  /** Writes a prepared message (with its signature, CH-V2), never over an existing one. */
  writePrepared(id: MessageId, entry: MessageEntry): { ok: true; id: MessageId } | Refusal {
    const parsed = v.safeParse(MessageEntry, entry);
    if (!parsed.success) return refuse('invalid_entry', parsed.issues[0].message);
    if (this.#messages._map.has(id) || messageIdClient(id) !== this.doc.clientID) {
      return refuse('invalid_entry', `message id ${id} is taken or not this writer's`);
    }
    return this.#write(id, parsed.output);
  }

  #write(id: MessageId, entry: MessageEntry): { ok: true; id: MessageId } | Refusal {
    if (!this.#admits(entry.body.length * 3)) {
      return refuse('doc_too_large', `${LIMITS.maxChatDocBytes} bytes reached`);
    }
    this.#messages.set(id, entry);
    return { ok: true, id };
  }

  /** Deletes a message. Receivers accept it from its author and from helpers (CH-A3). */
  deleteMessage(id: MessageId): boolean {
    if (!this.#messages.has(id)) return false;
    this.#messages.delete(id);
    return true;
  }

  /** All valid messages in conversation order: by `seq`, then by id. */
  messages(bindings?: ParticipantBindings): ChatMessage[] {
    const out: ChatMessage[] = [];
    // The map's own entries, read as `Y.Map.get` reads them: `entries()` would build a
    // pair per message and the item would then be looked up again. `forEach`, not
    // `for…of`, which makes a [key, item] pair per entry too while the loop runs
    // unoptimised, as a transcript's first read does (benchmark S6).
    this.#messages._map.forEach((item, id) => {
      const message = this.#toMessage(id, item, bindings);
      if (message) out.push(message);
    });
    return out.sort(inConversationOrder);
  }

  message(id: string, bindings?: ParticipantBindings): ChatMessage | undefined {
    return this.#toMessage(id, this.#messages._map.get(id), bindings);
  }

  /** The struct that holds a message's current value, for acknowledgement tracking. */
  messageStruct(id: string): { client: number; clock: number } | undefined {
    const item = this.#messages._map.get(id);
    return item && !item.deleted ? { client: item.id.client, clock: item.id.clock } : undefined;
  }

  /** Records that `participant` has seen everything up to `upTo` (F9). */
  markRead(participant: string, upTo: MessageId, at: number): void {
    const entry = v.parse(ReadEntry, { upTo, at });
    this.#reads.set(participant, entry);
  }

  /** Read state per participant, counting only entries its own client ids wrote. */
  readStates(bindings: ParticipantBindings): Map<string, ReadEntry> {
    const out = new Map<string, ReadEntry>();
    for (const [participant, raw] of this.#reads.entries()) {
      const writer = this.#reads._map.get(participant)?.id.client;
      if (writer === undefined || bindings.author(writer)?.id !== participant) continue;
      const parsed = v.safeParse(ReadEntry, raw);
      if (parsed.success) out.set(participant, parsed.output);
    }
    return out;
  }

  setMeta<K extends MetaKey>(key: K, value: MetaValue<K>): void {
    this.#meta.set(key, v.parse(META[key], value));
  }

  meta<K extends MetaKey>(key: K): MetaValue<K> | undefined {
    const parsed = v.safeParse(META[key], this.#meta.get(key));
    return parsed.success ? (parsed.output as MetaValue<K>) : undefined;
  }

  addTag(tag: string, at: number): void {
    this.#tags.set(v.parse(TagName, tag), v.parse(TagEntry, { at }));
  }

  removeTag(tag: string): void {
    this.#tags.delete(tag);
  }

  tags(): string[] {
    return [...this.#tags.keys()].filter((t) => v.is(TagName, t)).sort();
  }

  #toMessage(
    id: string,
    item: Y.Item | undefined,
    bindings?: ParticipantBindings,
  ): ChatMessage | undefined {
    if (item === undefined || item.deleted) return undefined;
    // A map entry's value is the last element of its item's content (Y.Map.get).
    const raw: unknown = item.content.getContent()[item.length - 1];
    return plainMessage(id, item.id.client, raw, bindings) ?? this.#parsed(id, item, raw, bindings);
  }

  /** A message that is not a plain line, through the schema (and the cache). */
  #parsed(
    id: string,
    item: Y.Item,
    raw: unknown,
    bindings?: ParticipantBindings,
  ): ChatMessage | undefined {
    const authorClient = item.id.client;
    const author = bindings?.author(authorClient);
    let entry = this.#decoded.get(item);
    if (entry === undefined) {
      const parsed = v.safeParse(MessageEntry, raw);
      entry = parsed.success ? parsed.output : null;
      this.#decoded.set(item, entry);
    }
    if (entry === null) return undefined;
    return { ...entry, id, authorClient, author };
  }

  /** The highest `seq` among this document's messages (CH-S5, CH-S8). */
  highestSeq(): number {
    return this.#highestSeq();
  }

  /** How many message entries this document holds deleted (CH-S8). */
  deletedMessages(): number {
    if (this.#deleted === null) {
      let deleted = 0;
      for (const item of this.#messages._map.values()) {
        for (let i: Y.Item | null = item; i !== null; i = i.left) if (i.deleted) deleted += 1;
      }
      this.#deleted = deleted;
    }
    return this.#deleted;
  }

  #highestSeq(): number {
    if (this.#highest === null) {
      let highest = 0;
      for (const raw of this.#messages.values()) highest = Math.max(highest, seqOf(raw));
      this.#highest = highest;
    }
    return this.#highest;
  }

  readonly #messagesChanged = new Set<(ids: string[]) => void>();

  /** Calls `listener` with the ids of the messages each transaction added or replaced
   * (deletions left out): a reader that follows the messages as they come reads the new
   * ones only, not the whole chat again (benchmark S8). */
  onMessagesWritten(listener: (ids: string[]) => void): () => void {
    this.#messagesChanged.add(listener);
    return () => this.#messagesChanged.delete(listener);
  }

  readonly #onMessages = (event: Y.YMapEvent<unknown>): void => {
    if (this.#messagesChanged.size > 0) {
      const ids: string[] = [];
      for (const [key, change] of event.keys) if (change.action !== 'delete') ids.push(key);
      if (ids.length > 0) for (const listener of this.#messagesChanged) listener(ids);
    }
    for (const change of event.keys.values()) {
      if (change.action !== 'add') this.#deleted = null;
    }
    if (this.#highest === null) return;
    for (const [key, change] of event.keys) {
      if (change.action !== 'add') {
        this.#highest = null;
        return;
      }
      this.#highest = Math.max(this.#highest, seqOf(this.#messages.get(key)));
    }
  };

  #admits(bytes: number): boolean {
    return this.options.budget?.admits(bytes + ENTRY_OVERHEAD_BYTES) ?? true;
  }
}

/**
 * The common line, a plain text or system message, without the schema or the cache,
 * built field by field: spreading a decoded entry cost more than checking it, and kept
 * apart from the schema's path the function stays small enough for V8 to inline
 * (benchmark S6). Undefined for anything else.
 */
function plainMessage(
  id: string,
  authorClient: number,
  raw: unknown,
  bindings: ParticipantBindings | undefined,
): ChatMessage | undefined {
  if (!isPlainMessageEntry(raw)) return undefined;
  const message: ChatMessage = {
    kind: raw.kind,
    body: raw.body,
    at: raw.at,
    seq: raw.seq,
    id,
    authorClient,
    author: bindings?.author(authorClient),
  };
  if (raw.sig !== undefined) message.sig = raw.sig;
  return message;
}

/** Conversation order (CH-S5): by `seq`, then by id. */
function inConversationOrder(a: ChatMessage, b: ChatMessage): number {
  return a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A message's `seq` when it is one to count, else 0 (an entry that does not parse). */
function seqOf(raw: unknown): number {
  const seq = (raw as { seq?: unknown } | null)?.seq;
  return typeof seq === 'number' && seq > 0 && seq <= Number.MAX_SAFE_INTEGER - 1 ? seq : 0;
}
