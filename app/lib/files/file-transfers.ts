/**
 * F13: attachments' bytes, peer to peer (protocol/CHAT.md CH-X4–CH-X12). Every participant
 * holds the files it sent or received (file-store.ts) and serves them to any peer
 * that asks; a participant that lacks a file the chat document lists asks its
 * linked peers, one at a time, and takes the chunks in order:
 *
 * - Flow control (CH-X6): a sender hands the link one 16 KiB chunk at a time and, when
 *   the link says its buffer is past the high-water mark, waits for `drain` (the
 *   channel's bufferedamountlow) before the next: never an unbounded queue.
 * - Acks and resume (CH-X7): the receiver stores chunks in batches and acknowledges each
 *   stored batch; after a link drop or a reload it asks again from the last
 *   acknowledged chunk, from whichever peer has the file.
 * - Checks (CH-X7, CH-X2): the whole file's SHA-256 must match the document's, or the bytes
 *   are dropped and asked for again (from another peer first); files over the cap
 *   are never asked for.
 * - Monitors (CH-X13) fetch files from helpers but serve none, and are never asked.
 */
import {
  chunkCount,
  decodeFileFrame,
  encodeFileFrame,
  FILE_CHUNK_BYTES,
  isFileFrame,
  type Attachment,
  type FileFrame,
} from '../../../protocol/index.ts';
import type { PeerLink } from '../peer/peer-link.ts';
import { sha256Hex } from './file-checks.ts';
import type { FileStore } from './file-store.ts';

/** Chunks stored and acknowledged together: 64 x 16 KiB, about 1 MiB. */
export const ACK_BATCH_CHUNKS = 64;
/** Chunks received between two progress notices. */
const PROGRESS_EVERY_CHUNKS = 16;
/** Damaged copies of one file tolerated before the receiver gives up on it. */
const MAX_HASH_FAILURES = 3;

export const TRANSFER_ERRORS = {
  too_big: 'This file is larger than the size limit, so it was not fetched.',
  hash_mismatch:
    'The file arrived damaged (its SHA-256 did not match): it was dropped and asked for again.',
  damaged: 'The file kept arriving damaged, so it was dropped.',
  peer_left: 'The sender left mid-transfer: it resumes when someone who has the file is back.',
  sender_cancelled: 'The sender cancelled this file.',
} as const;
export type TransferError = keyof typeof TRANSFER_ERRORS;

/** One file as a view shows it (CH-X11). */
export type TransferView =
  | { status: 'ready'; bytes: Uint8Array }
  | { status: 'receiving'; received: number; total: number; error?: TransferError }
  | { status: 'waiting'; received: number; total: number; error?: TransferError }
  | { status: 'cancelled'; received: number; total: number; error?: TransferError }
  | { status: 'refused'; error: TransferError };

/** What the sender sees of one peer fetching its file. */
export type SendingView = { peer: string; acked: number; total: number };

type Download = {
  readonly meta: Attachment;
  readonly total: number;
  /** Chunks received, in order; the first `acked` of them are stored. */
  chunks: Uint8Array[];
  acked: number;
  from: string | null;
  status: 'receiving' | 'waiting' | 'cancelled';
  /** Peers that said they lack it, sent a damaged copy, or cancelled. */
  readonly skip: Set<string>;
  failures: number;
  error?: TransferError;
};

type Peer = {
  readonly link: PeerLink;
  readonly off: () => void;
  readonly serving: Map<string, { stop: boolean }>;
};

export type FileTransfersOptions = {
  store: FileStore;
  /** The size cap (a setting, CH-X2); the service's welcome may change it (`setMaxBytes`). */
  maxBytes: number;
  /** CH-X13: whether this side serves files (a monitor does not). */
  mayServe?: () => boolean;
  /** CH-X13: whether a peer may be asked for a file (a monitor may not). */
  mayAsk?: (peer: string) => boolean;
};

export class FileTransfers {
  readonly #o: FileTransfersOptions;
  #maxBytes: number;
  readonly #peers = new Map<string, Peer>();
  /** Files listed in the chat document, by hash. */
  readonly #known = new Map<string, Attachment>();
  readonly #ready = new Map<string, Uint8Array>();
  readonly #downloads = new Map<string, Download>();
  readonly #sending = new Map<string, Map<string, number>>();
  /** CH-X15: per file this side is still fetching, the peers who asked it for the file (and
   * from which chunk): served when it arrives, told `missing` if it never does. */
  readonly #deferred = new Map<string, Map<string, number>>();
  /** Files this side stopped offering (the sender's cancel). */
  readonly #withdrawn = new Set<string>();
  readonly #listeners = new Set<() => void>();
  #destroyed = false;

  constructor(options: FileTransfersOptions) {
    this.#o = options;
    this.#maxBytes = options.maxBytes;
  }

  /** The size cap in force (CH-X2): the sending UI refuses larger files, and so does this side. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** The admin's cap, as the service's welcome says it (CH-X2). Files listed earlier and
   * refused as too big are fetched once they fit; a lower cap stops asking for larger
   * ones (what is already here stays). */
  setMaxBytes(maxBytes: number): void {
    const before = this.#maxBytes;
    if (maxBytes === before) return;
    this.#maxBytes = maxBytes;
    const skipped = [...this.#known.values()].filter(
      (meta) => meta.bytes > before && meta.bytes <= maxBytes && !this.#ready.has(meta.sha256),
    );
    for (const meta of skipped) this.#known.delete(meta.sha256);
    for (const [sha, d] of this.#downloads) {
      if (d.meta.bytes <= maxBytes) continue;
      if (d.from) this.#send(d.from, { type: 'cancel', sha256: sha });
      this.#downloads.delete(sha);
      this.#answerDeferred(sha, false);
    }
    void this.sync(skipped);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  view(sha256: string): TransferView | null {
    const ready = this.#ready.get(sha256);
    if (ready) return { status: 'ready', bytes: ready };
    const meta = this.#known.get(sha256);
    if (meta && meta.bytes > this.#maxBytes) return { status: 'refused', error: 'too_big' };
    const d = this.#downloads.get(sha256);
    if (!d) return null;
    const base = { received: d.chunks.length, total: d.total };
    return d.error ? { status: d.status, ...base, error: d.error } : { status: d.status, ...base };
  }

  /** Peers fetching a file this side holds, with how much they acknowledged. */
  sending(sha256: string): SendingView[] {
    const total = this.#known.has(sha256)
      ? chunkCount((this.#known.get(sha256) as Attachment).bytes)
      : 0;
    return [...(this.#sending.get(sha256) ?? [])].map(([peer, acked]) => ({ peer, acked, total }));
  }

  /** A file this side attaches: stored, then served to whoever asks. */
  async add(meta: Attachment, bytes: Uint8Array): Promise<void> {
    await this.#o.store.saveFile(meta.sha256, bytes);
    this.#ready.set(meta.sha256, bytes);
    this.#known.set(meta.sha256, meta);
    this.#changed();
  }

  /** The attachments the chat document lists now: fetch the ones missing here. */
  async sync(attachments: readonly Attachment[]): Promise<void> {
    for (const meta of attachments) {
      if (this.#known.has(meta.sha256)) continue;
      this.#known.set(meta.sha256, meta);
      if (meta.bytes > this.#maxBytes) continue;
      const stored = await this.#o.store.loadFile(meta.sha256);
      if (stored && stored.byteLength === meta.bytes && (await sha256Hex(stored)) === meta.sha256) {
        this.#ready.set(meta.sha256, stored);
        continue;
      }
      const chunks = await this.#o.store.loadPartial(meta.sha256);
      this.#downloads.set(meta.sha256, {
        meta,
        total: chunkCount(meta.bytes),
        chunks,
        acked: chunks.length,
        from: null,
        status: 'waiting',
        skip: new Set(),
        failures: 0,
      });
      this.#request(meta.sha256);
    }
    this.#changed();
  }

  /** The receiver's cancel: stop fetching (the chunks so far stay for a later resume). */
  cancel(sha256: string): void {
    const d = this.#downloads.get(sha256);
    if (d && d.status !== 'cancelled') {
      if (d.from) this.#send(d.from, { type: 'cancel', sha256 });
      this.#truncate(d);
      d.status = 'cancelled';
      d.from = null;
      this.#answerDeferred(sha256, false);
    } else if (this.#ready.has(sha256)) {
      // The sender's cancel: stop offering the file and tell those fetching it.
      this.#withdrawn.add(sha256);
      for (const [name, peer] of this.#peers) {
        const serving = peer.serving.get(sha256);
        if (serving) {
          serving.stop = true;
          this.#send(name, { type: 'cancel', sha256 });
        }
      }
      this.#sending.delete(sha256);
    }
    this.#changed();
  }

  /** Asks again for a cancelled or failed download, from the last acknowledged chunk. */
  resume(sha256: string): void {
    const d = this.#downloads.get(sha256);
    if (!d || d.status === 'receiving') return;
    d.status = 'waiting';
    d.skip.clear();
    d.failures = 0;
    delete d.error;
    this.#request(sha256);
    this.#changed();
  }

  /** A link to `peer` opened: file frames on it are ours (CH-X4). */
  connect(peer: string, link: PeerLink): void {
    this.#peers.get(peer)?.off();
    const off = link.subscribe((event) => {
      if (event.type === 'frame' && isFileFrame(event.frame)) this.#onFrame(peer, event.frame);
      else if (event.type === 'close') this.#disconnect(peer, link);
    });
    this.#peers.set(peer, { link, off, serving: new Map() });
    for (const [sha, d] of this.#downloads) if (d.status === 'waiting') this.#request(sha);
  }

  destroy(): void {
    this.#destroyed = true;
    for (const peer of this.#peers.values()) {
      for (const s of peer.serving.values()) s.stop = true;
      peer.off();
    }
    this.#peers.clear();
    this.#listeners.clear();
  }

  #disconnect(peer: string, link: PeerLink): void {
    const entry = this.#peers.get(peer);
    if (!entry || entry.link !== link) return;
    entry.off();
    for (const s of entry.serving.values()) s.stop = true;
    this.#peers.delete(peer);
    for (const sending of this.#sending.values()) sending.delete(peer);
    for (const asked of this.#deferred.values()) asked.delete(peer);
    for (const [sha, d] of this.#downloads) {
      if (d.from !== peer) continue;
      // CH-X7: what was not acknowledged is asked for again, from the last ack.
      this.#truncate(d);
      d.from = null;
      d.status = 'waiting';
      d.error = 'peer_left';
      this.#request(sha);
    }
    this.#changed();
  }

  #truncate(d: Download): void {
    d.chunks.length = d.acked;
  }

  /** Asks the next linked peer not yet tried for the file. */
  #request(sha256: string): void {
    const d = this.#downloads.get(sha256);
    if (!d || d.status === 'cancelled' || d.from !== null) return;
    const mayAsk = this.#o.mayAsk ?? (() => true);
    const peer = [...this.#peers.keys()].find((p) => !d.skip.has(p) && mayAsk(p));
    if (peer === undefined) return;
    d.from = peer;
    d.status = 'receiving';
    this.#send(peer, { type: 'want', sha256, from: d.chunks.length });
    this.#changed();
  }

  #onFrame(peer: string, bytes: Uint8Array): void {
    const decoded = decodeFileFrame(bytes);
    // CH-X6: an unreadable file frame ends nothing else: it is dropped.
    if (!decoded.ok) return;
    const frame = decoded.frame;
    switch (frame.type) {
      case 'want':
        void this.#serve(peer, frame.sha256, frame.from);
        return;
      case 'chunk':
        void this.#onChunk(peer, frame);
        return;
      case 'ack': {
        const sending = this.#sending.get(frame.sha256);
        if (sending?.has(peer)) sending.set(peer, frame.upTo);
        this.#changed();
        return;
      }
      case 'missing':
      case 'cancel': {
        this.#deferred.get(frame.sha256)?.delete(peer);
        const serving = this.#peers.get(peer)?.serving.get(frame.sha256);
        if (serving) serving.stop = true;
        this.#sending.get(frame.sha256)?.delete(peer);
        const d = this.#downloads.get(frame.sha256);
        if (d && d.from === peer) {
          this.#truncate(d);
          d.skip.add(peer);
          d.from = null;
          d.status = 'waiting';
          if (frame.type === 'cancel') d.error = 'sender_cancelled';
          this.#request(frame.sha256);
        }
        this.#changed();
        return;
      }
    }
  }

  /** CH-X6: chunks from `from` on, one at a time, waiting for drain past the high-water mark. */
  async #serve(peer: string, sha256: string, from: number): Promise<void> {
    const entry = this.#peers.get(peer);
    const bytes = this.#ready.get(sha256);
    const meta = this.#known.get(sha256);
    if (!entry) return;
    // CH-X13: a monitor serves nothing; it says so, and the receiver asks someone else.
    const serves = this.#o.mayServe?.() ?? true;
    const fetching = this.#downloads.get(sha256);
    if (!bytes && serves && fetching !== undefined && fetching.status !== 'cancelled') {
      const asked = this.#deferred.get(sha256) ?? new Map<string, number>();
      asked.set(peer, from);
      this.#deferred.set(sha256, asked);
      return;
    }
    if (!bytes || !meta || this.#withdrawn.has(sha256) || !serves) {
      this.#send(peer, { type: 'missing', sha256 });
      return;
    }
    const previous = entry.serving.get(sha256);
    if (previous) previous.stop = true;
    const job = { stop: false };
    entry.serving.set(sha256, job);
    const sending = this.#sending.get(sha256) ?? new Map<string, number>();
    sending.set(peer, from);
    this.#sending.set(sha256, sending);
    this.#changed();
    const total = chunkCount(bytes.byteLength);
    for (let index = from; index < total && !job.stop && !this.#destroyed; index++) {
      const chunk = bytes.subarray(index * FILE_CHUNK_BYTES, (index + 1) * FILE_CHUNK_BYTES);
      if (!entry.link.send(encodeFileFrame({ type: 'chunk', sha256, index, bytes: chunk }))) {
        if (entry.link.state.status !== 'open') return;
        await drained(entry.link);
      }
    }
    if (entry.serving.get(sha256) === job) entry.serving.delete(sha256);
  }

  async #onChunk(peer: string, frame: Extract<FileFrame, { type: 'chunk' }>): Promise<void> {
    const d = this.#downloads.get(frame.sha256);
    if (!d || d.from !== peer || d.status !== 'receiving') return;
    // The channel is ordered: a gap means an old stream; ask again from where we are.
    if (frame.index !== d.chunks.length) {
      if (frame.index > d.chunks.length)
        this.#send(peer, { type: 'want', sha256: frame.sha256, from: d.chunks.length });
      return;
    }
    if (frame.index >= d.total) return;
    d.chunks.push(frame.bytes.slice());
    const received = d.chunks.length;
    if (received === d.total) {
      await this.#complete(peer, d);
    } else if (received - d.acked >= ACK_BATCH_CHUNKS) {
      const start = d.acked;
      const batch = d.chunks.slice(start, received);
      d.acked = received;
      await this.#o.store.savePartial(d.meta.sha256, start, batch);
      this.#send(peer, { type: 'ack', sha256: d.meta.sha256, upTo: received });
    }
    // Progress redraws every 16 chunks (256 KiB), not on each: a view per chunk costs
    // more than the transfer itself on a busy machine.
    if (received % PROGRESS_EVERY_CHUNKS === 0) this.#changed();
  }

  async #complete(peer: string, d: Download): Promise<void> {
    const sha256 = d.meta.sha256;
    const bytes = new Uint8Array(d.meta.bytes);
    let offset = 0;
    for (const chunk of d.chunks) {
      if (offset + chunk.byteLength > bytes.byteLength) break;
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    const hash = offset === d.meta.bytes ? await sha256Hex(bytes) : '';
    await this.#o.store.dropPartial(sha256);
    if (hash !== sha256) {
      // CH-X7: damaged bytes are dropped whole and asked for again, from another peer first.
      d.chunks = [];
      d.acked = 0;
      d.failures += 1;
      d.skip.add(peer);
      d.from = null;
      this.#send(peer, { type: 'cancel', sha256 });
      if (d.failures >= MAX_HASH_FAILURES) {
        d.status = 'cancelled';
        d.error = 'damaged';
        this.#answerDeferred(sha256, false);
      } else {
        d.status = 'waiting';
        d.error = 'hash_mismatch';
        if ([...this.#peers.keys()].every((p) => d.skip.has(p))) d.skip.clear();
        this.#request(sha256);
      }
      this.#changed();
      return;
    }
    await this.#o.store.saveFile(sha256, bytes);
    this.#downloads.delete(sha256);
    this.#ready.set(sha256, bytes);
    this.#send(peer, { type: 'ack', sha256, upTo: d.total });
    this.#answerDeferred(sha256, true);
    this.#changed();
  }

  /** CH-X15: the file arrived (serve those who asked for it meanwhile) or will not. */
  #answerDeferred(sha256: string, arrived: boolean): void {
    const asked = this.#deferred.get(sha256);
    this.#deferred.delete(sha256);
    for (const [peer, from] of asked ?? []) {
      if (arrived) void this.#serve(peer, sha256, from);
      else this.#send(peer, { type: 'missing', sha256 });
    }
  }

  #send(peer: string, frame: FileFrame): void {
    this.#peers.get(peer)?.link.send(encodeFileFrame(frame));
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** Resolves at the link's next `drain` (or when it closes). */
function drained(link: PeerLink): Promise<void> {
  return new Promise((resolve) => {
    const off = link.subscribe((event) => {
      if (event.type === 'drain' || event.type === 'close') {
        off();
        resolve();
      }
    });
  });
}
