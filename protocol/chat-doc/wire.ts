/**
 * The data-channel wire format (protocol/CHAT.md, "Wire format", CH-D1–CH-D12).
 *
 *   frame   = version:u8(1) varUint(messageId) varUint(index) varUint(count) chunk
 *   message = chunk(0) chunk(1) … chunk(count-1)           (CH-D3: reassembled in order)
 *   message = varUint(0) sync | varUint(1) awareness | varUint(2) ack | varUint(3) history
 *           | varUint(4) sync                                staff notes (CH-N2), staff links only
 *   sync    = varUint(0) varBytes(stateVector)               step 1
 *           | varUint(1) varBytes(update)                    step 2
 *           | varUint(2) varBytes(update)                    update
 *   awareness = varBytes(awarenessUpdate)
 *   ack     = varBytes(stateVector)
 *   history = varBytes(update)                               the visitor's whole document (CH-K1)
 *
 * `message` is y-websocket's framing of y-protocols sync and awareness messages;
 * `ack` is ours (a peer's state vector after it applied something, CHAT.md CH-C6).
 */
import { LIMITS } from '../limits.ts';
import { ByteReader, ByteWriter } from './byte-reader.ts';
import { refuse, type Refusal } from './chat-errors.ts';

export const WIRE_VERSION = 1;

/** Message kinds; the sync sub-kinds are y-protocols' messageYjsSyncStep1/2 and messageYjsUpdate. */
export const MESSAGE_KIND = { sync: 0, awareness: 1, ack: 2, history: 3, notes: 4 } as const;
export const SYNC_KIND = { step1: 0, step2: 1, update: 2 } as const;

export type WireMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'ack'; stateVector: Uint8Array }
  /** The visitor's whole document for a helper who joined after a requeue (CHAT.md CH-K1). */
  | { type: 'history'; update: Uint8Array }
  /** The staff notes document's sync, between staff only (CHAT.md CH-N2). */
  | { type: 'notes-step1'; stateVector: Uint8Array }
  | { type: 'notes-step2'; update: Uint8Array }
  | { type: 'notes-update'; update: Uint8Array };

export function encodeMessage(message: WireMessage): Uint8Array {
  const w = new ByteWriter();
  switch (message.type) {
    case 'sync-step1':
      return w
        .varUint(MESSAGE_KIND.sync)
        .varUint(SYNC_KIND.step1)
        .varBytes(message.stateVector)
        .finish();
    case 'sync-step2':
      return w
        .varUint(MESSAGE_KIND.sync)
        .varUint(SYNC_KIND.step2)
        .varBytes(message.update)
        .finish();
    case 'sync-update':
      return w
        .varUint(MESSAGE_KIND.sync)
        .varUint(SYNC_KIND.update)
        .varBytes(message.update)
        .finish();
    case 'awareness':
      return w.varUint(MESSAGE_KIND.awareness).varBytes(message.update).finish();
    case 'ack':
      return w.varUint(MESSAGE_KIND.ack).varBytes(message.stateVector).finish();
    case 'history':
      return w.varUint(MESSAGE_KIND.history).varBytes(message.update).finish();
    case 'notes-step1':
      return w
        .varUint(MESSAGE_KIND.notes)
        .varUint(SYNC_KIND.step1)
        .varBytes(message.stateVector)
        .finish();
    case 'notes-step2':
      return w
        .varUint(MESSAGE_KIND.notes)
        .varUint(SYNC_KIND.step2)
        .varBytes(message.update)
        .finish();
    case 'notes-update':
      return w
        .varUint(MESSAGE_KIND.notes)
        .varUint(SYNC_KIND.update)
        .varBytes(message.update)
        .finish();
  }
}

/** CH-D5–CH-D7: a reassembled message, decoded; anything else is a coded refusal. */
export function decodeMessage(bytes: Uint8Array): { ok: true; message: WireMessage } | Refusal {
  const r = new ByteReader(bytes);
  const kind = r.varUint();
  let message: WireMessage;
  if (kind === MESSAGE_KIND.sync) {
    const sub = r.varUint();
    const payload = r.varBytes(LIMITS.maxChatWireMessageBytes);
    if (payload === null) return refuse('bad_frame', 'truncated sync message');
    if (sub === SYNC_KIND.step1) message = { type: 'sync-step1', stateVector: payload };
    else if (sub === SYNC_KIND.step2) message = { type: 'sync-step2', update: payload };
    else if (sub === SYNC_KIND.update) message = { type: 'sync-update', update: payload };
    else return refuse('unknown_message', `sync message type ${String(sub)}`);
  } else if (kind === MESSAGE_KIND.awareness) {
    const payload = r.varBytes(LIMITS.maxAwarenessUpdateBytes);
    if (payload === null) return refuse('bad_frame', 'truncated or oversized awareness message');
    message = { type: 'awareness', update: payload };
  } else if (kind === MESSAGE_KIND.ack) {
    const payload = r.varBytes(LIMITS.maxChatFrameBytes);
    if (payload === null) return refuse('bad_frame', 'truncated or oversized ack');
    message = { type: 'ack', stateVector: payload };
  } else if (kind === MESSAGE_KIND.notes) {
    const sub = r.varUint();
    const payload = r.varBytes(LIMITS.maxChatWireMessageBytes);
    if (payload === null) return refuse('bad_frame', 'truncated notes message');
    if (sub === SYNC_KIND.step1) message = { type: 'notes-step1', stateVector: payload };
    else if (sub === SYNC_KIND.step2) message = { type: 'notes-step2', update: payload };
    else if (sub === SYNC_KIND.update) message = { type: 'notes-update', update: payload };
    else return refuse('unknown_message', `notes message type ${String(sub)}`);
  } else if (kind === MESSAGE_KIND.history) {
    const payload = r.varBytes(LIMITS.maxChatDocBytes);
    if (payload === null) return refuse('bad_frame', 'truncated or oversized history');
    message = { type: 'history', update: payload };
  } else {
    return refuse(kind === null ? 'bad_frame' : 'unknown_message', `message kind ${String(kind)}`);
  }
  if (!r.done) return refuse('bad_frame', 'trailing bytes after the message');
  return { ok: true, message };
}

/** The largest frame header: a version byte and three varUints of at most 5 bytes. */
export const MAX_FRAME_HEADER_BYTES = 16;
export const CHUNK_BYTES = LIMITS.maxChatFrameBytes - MAX_FRAME_HEADER_BYTES;
/** CH-D4: no message has more chunks than its largest size needs. */
export const MAX_CHUNKS = Math.ceil(LIMITS.maxChatWireMessageBytes / CHUNK_BYTES);

/** CH-D1, CH-D2: one message as frames of at most 16 KiB each. */
export function encodeWireFrames(messageId: number, message: Uint8Array): Uint8Array[] {
  const count = Math.max(1, Math.ceil(message.length / CHUNK_BYTES));
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const chunk = message.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
    frames.push(
      new ByteWriter()
        .raw(Uint8Array.of(WIRE_VERSION))
        .varUint(messageId)
        .varUint(index)
        .varUint(count)
        .raw(chunk)
        .finish(),
    );
  }
  return frames;
}

export type WireFrame = { messageId: number; index: number; count: number; chunk: Uint8Array };

/** CH-D1–CH-D4: the header of one frame, checked. */
export function decodeWireFrame(frame: Uint8Array): { ok: true; frame: WireFrame } | Refusal {
  if (frame.byteLength > LIMITS.maxChatFrameBytes) {
    return refuse('frame_too_large', `${frame.byteLength} bytes`);
  }
  if (frame[0] !== WIRE_VERSION) return refuse('bad_frame', `version ${String(frame[0])}`);
  const r = new ByteReader(frame.subarray(1));
  const messageId = r.varUint();
  const index = r.varUint();
  const count = r.varUint();
  if (messageId === null || index === null || count === null || messageId > 0xffff_ffff) {
    return refuse('bad_frame', 'truncated header');
  }
  if (count < 1 || count > MAX_CHUNKS) {
    return refuse('wire_message_too_large', `${count} chunks, at most ${MAX_CHUNKS}`);
  }
  if (index >= count) return refuse('bad_frame', `chunk ${index} of ${count}`);
  return { ok: true, frame: { messageId, index, count, chunk: r.rest() } };
}
