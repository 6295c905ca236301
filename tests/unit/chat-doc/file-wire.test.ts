import { describe, expect, it } from 'vitest';
import {
  decodeFileFrame,
  encodeFileFrame,
  encodeWireFrames,
  FILE_CHUNK_BYTES,
  isFileFrame,
  LIMITS,
  type FileFrame,
} from '../../../protocol/index.ts';

const sha256 = '0123456789abcdef'.repeat(4);

describe('F13 file frames (CHAT.md CH-X4, CH-X5)', () => {
  it.each<FileFrame>([
    { type: 'want', sha256, from: 0 },
    { type: 'want', sha256, from: 640 },
    { type: 'chunk', sha256, index: 3, bytes: new Uint8Array(FILE_CHUNK_BYTES).fill(9) },
    { type: 'ack', sha256, upTo: 128 },
    { type: 'missing', sha256 },
    { type: 'cancel', sha256 },
  ])('CH-X5 round trip: $type', (frame) => {
    const bytes = encodeFileFrame(frame);
    expect(bytes.byteLength).toBeLessThanOrEqual(LIMITS.maxChatFrameBytes);
    expect(decodeFileFrame(bytes)).toEqual({ ok: true, frame });
  });

  it('CH-X4: file frames and chat frames are told apart by their first byte', () => {
    expect(isFileFrame(encodeFileFrame({ type: 'missing', sha256 }))).toBe(true);
    for (const frame of encodeWireFrames(1, new Uint8Array(10)))
      expect(isFileFrame(frame)).toBe(false);
  });

  it('CH-X5: refuses what is not a well-formed file frame', () => {
    const good = encodeFileFrame({ type: 'ack', sha256, upTo: 1 });
    expect(decodeFileFrame(new Uint8Array(LIMITS.maxChatFrameBytes + 1).fill(2))).toMatchObject({
      code: 'frame_too_large',
    });
    expect(decodeFileFrame(good.subarray(0, 20))).toMatchObject({ code: 'bad_frame' });
    expect(decodeFileFrame(Uint8Array.of(...good, 0))).toMatchObject({ code: 'bad_frame' });
    const unknown = good.slice();
    unknown[1] = 9;
    expect(decodeFileFrame(unknown)).toMatchObject({ code: 'unknown_message' });
    const emptyChunk = encodeFileFrame({
      type: 'chunk',
      sha256,
      index: 0,
      bytes: new Uint8Array(0),
    });
    expect(decodeFileFrame(emptyChunk)).toMatchObject({ code: 'bad_frame' });
    const bigChunk = encodeFileFrame({
      type: 'chunk',
      sha256,
      index: 0,
      bytes: new Uint8Array(FILE_CHUNK_BYTES + 1),
    });
    expect(decodeFileFrame(bigChunk)).toMatchObject({ code: 'bad_frame' });
  });
});
