/**
 * File frames (protocol/CHAT.md, "Attachments", CH-X4–CH-X8): an attachment's bytes go peer
 * to peer on the chat's data channel, beside the chat frames of wire.ts, never
 * through the service. Each frame is one data-channel message of at most 16 KiB.
 *
 *   frame  = version:u8(2) kind:u8 sha256:32 bytes  body
 *   body   = varUint(from)                  want: send me chunks from `from` on
 *          | varUint(index) bytes           chunk: chunk `index` of the file
 *          | varUint(upTo)                  ack: I have stored chunks [0, upTo)
 *          | (empty)                        missing: I do not hold this file
 *          | (empty)                        cancel: stop sending me this file / I stopped
 *
 * The first byte tells file frames (2) from chat frames (wire.ts, 1), so one ordered
 * channel carries both and the replica never sees a file frame (CH-X4).
 */
import { LIMITS } from '../limits.ts';
import { ByteReader, ByteWriter } from './byte-reader.ts';
import { refuse, type Refusal } from './chat-errors.ts';

export const FILE_WIRE_VERSION = 2;

export const FILE_FRAME_KIND = { want: 0, chunk: 1, ack: 2, missing: 3, cancel: 4 } as const;

/** A version byte, a kind byte, 32 hash bytes, a varUint of at most 5 bytes. */
const FILE_HEADER_BYTES = 1 + 1 + 32 + 5;
/** CH-X5: bytes of file content per chunk frame (the header leaves room to spare). */
export const FILE_CHUNK_BYTES = LIMITS.maxChatFrameBytes - 64;

export type FileFrame =
  | { type: 'want'; sha256: string; from: number }
  | { type: 'chunk'; sha256: string; index: number; bytes: Uint8Array }
  | { type: 'ack'; sha256: string; upTo: number }
  | { type: 'missing'; sha256: string }
  | { type: 'cancel'; sha256: string };

/** How many chunks a file of `size` bytes is sent in (at least one). */
export function chunkCount(size: number): number {
  return Math.max(1, Math.ceil(size / FILE_CHUNK_BYTES));
}

export function isFileFrame(frame: Uint8Array): boolean {
  return frame[0] === FILE_WIRE_VERSION;
}

function hashBytes(hex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hashHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export function encodeFileFrame(frame: FileFrame): Uint8Array {
  const w = new ByteWriter()
    .raw(Uint8Array.of(FILE_WIRE_VERSION, FILE_FRAME_KIND[frame.type]))
    .raw(hashBytes(frame.sha256));
  switch (frame.type) {
    case 'want':
      return w.varUint(frame.from).finish();
    case 'chunk':
      return w.varUint(frame.index).raw(frame.bytes).finish();
    case 'ack':
      return w.varUint(frame.upTo).finish();
    case 'missing':
    case 'cancel':
      return w.finish();
  }
}

/** CH-X4–CH-X6: a file frame, checked; anything else is a coded refusal. */
export function decodeFileFrame(frame: Uint8Array): { ok: true; frame: FileFrame } | Refusal {
  if (frame.byteLength > LIMITS.maxChatFrameBytes) {
    return refuse('frame_too_large', `${frame.byteLength} bytes`);
  }
  if (frame.byteLength < FILE_HEADER_BYTES - 5 || frame[0] !== FILE_WIRE_VERSION) {
    return refuse('bad_frame', 'not a file frame');
  }
  const kind = frame[1];
  const sha256 = hashHex(frame.subarray(2, 34));
  const r = new ByteReader(frame.subarray(34));
  switch (kind) {
    case FILE_FRAME_KIND.want:
    case FILE_FRAME_KIND.ack: {
      const n = r.varUint();
      if (n === null || !r.done) return refuse('bad_frame', 'bad chunk number');
      return {
        ok: true,
        frame:
          kind === FILE_FRAME_KIND.want
            ? { type: 'want', sha256, from: n }
            : { type: 'ack', sha256, upTo: n },
      };
    }
    case FILE_FRAME_KIND.chunk: {
      const index = r.varUint();
      if (index === null) return refuse('bad_frame', 'truncated chunk');
      const bytes = r.rest();
      if (bytes.byteLength === 0 || bytes.byteLength > FILE_CHUNK_BYTES) {
        return refuse('bad_frame', `chunk of ${bytes.byteLength} bytes`);
      }
      return { ok: true, frame: { type: 'chunk', sha256, index, bytes } };
    }
    case FILE_FRAME_KIND.missing:
    case FILE_FRAME_KIND.cancel:
      if (!r.done) return refuse('bad_frame', 'trailing bytes');
      return {
        ok: true,
        frame:
          kind === FILE_FRAME_KIND.missing
            ? { type: 'missing', sha256 }
            : { type: 'cancel', sha256 },
      };
    default:
      return refuse('unknown_message', `file frame kind ${String(kind)}`);
  }
}
