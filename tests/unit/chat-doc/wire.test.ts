import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_BYTES,
  decodeMessage,
  encodeMessage,
  encodeWireFrames,
  LIMITS,
  Reassembler,
  type WireMessage,
} from '../../../protocol/index.ts';

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

function reassemble(frames: Uint8Array[], r = new Reassembler()): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const result = r.push(f);
    if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
    if (result.message) out.push(result.message);
  }
  return out;
}

describe('wire format', () => {
  it('CH-D5 every message kind round-trips', () => {
    const messages: WireMessage[] = [
      { type: 'sync-step1', stateVector: Uint8Array.of(1, 2, 3) },
      { type: 'sync-step2', update: bytes(40) },
      { type: 'sync-update', update: bytes(3) },
      { type: 'awareness', update: bytes(10) },
      { type: 'ack', stateVector: Uint8Array.of(0) },
    ];
    for (const m of messages)
      expect(decodeMessage(encodeMessage(m))).toEqual({ ok: true, message: m });
  });

  it('CH-D5 a sync message is y-protocols framing: kind 0, sync type, length, payload', () => {
    expect([...encodeMessage({ type: 'sync-step1', stateVector: Uint8Array.of(9) })]).toEqual([
      0, 0, 1, 9,
    ]);
    expect([...encodeMessage({ type: 'awareness', update: Uint8Array.of(5, 6) })]).toEqual([
      1, 2, 5, 6,
    ]);
  });

  it('CH-D5 CH-D6 CH-D7 unknown kinds, truncation and trailing bytes are refused', () => {
    expect(decodeMessage(Uint8Array.of(9, 0))).toMatchObject({ code: 'unknown_message' });
    expect(decodeMessage(Uint8Array.of(0, 7, 0))).toMatchObject({ code: 'unknown_message' });
    expect(decodeMessage(Uint8Array.of(0, 2, 5, 1))).toMatchObject({ code: 'bad_frame' });
    expect(decodeMessage(Uint8Array.of(2, 1, 0, 0))).toMatchObject({ code: 'bad_frame' });
    expect(decodeMessage(new Uint8Array())).toMatchObject({ code: 'bad_frame' });
    const awareness = encodeMessage({
      type: 'awareness',
      update: bytes(LIMITS.maxAwarenessUpdateBytes + 1),
    });
    expect(decodeMessage(awareness)).toMatchObject({ code: 'bad_frame' });
  });

  it('CH-D1 CH-D2 CH-D3 a large message is chunked to frames of at most 16 KiB and reassembled', () => {
    const message = encodeMessage({ type: 'sync-step2', update: bytes(2 * 1024 * 1024 + 5, 3) });
    const frames = encodeWireFrames(42, message);
    expect(frames.length).toBe(Math.ceil(message.length / CHUNK_BYTES));
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(LIMITS.maxChatFrameBytes);
    const [got, ...more] = reassemble(frames);
    expect(more).toEqual([]);
    // Buffer comparison: a deep equality of 2 MB takes vitest seconds.
    expect(Buffer.from(got!).equals(Buffer.from(message))).toBe(true);
  });

  it('CH-D3 interleaved messages reassemble; chunks of one message must keep their order', () => {
    const a = encodeWireFrames(1, bytes(CHUNK_BYTES * 2 + 1, 1));
    const b = encodeWireFrames(2, bytes(CHUNK_BYTES + 1, 2));
    const got = reassemble([a[0]!, b[0]!, a[1]!, b[1]!, a[2]!]);
    expect(got.map((m) => m.length)).toEqual([CHUNK_BYTES + 1, CHUNK_BYTES * 2 + 1]);
    const r = new Reassembler();
    r.push(a[0]!);
    expect(r.push(a[2]!)).toMatchObject({ code: 'chunk_out_of_order' });
    expect(new Reassembler().push(a[1]!)).toMatchObject({ code: 'chunk_out_of_order' });
  });

  it('CH-D11 a message id started twice is refused', () => {
    const a = encodeWireFrames(1, bytes(CHUNK_BYTES * 2));
    const r = new Reassembler();
    r.push(a[0]!);
    expect(r.push(a[0]!)).toMatchObject({ code: 'chunk_out_of_order' });
  });

  it('CH-D1 a frame over 16 KiB is refused', () => {
    const frame = new Uint8Array(LIMITS.maxChatFrameBytes + 1);
    frame[0] = 1;
    expect(new Reassembler().push(frame)).toMatchObject({ code: 'frame_too_large' });
  });

  it('CH-D2 CH-D4 bad versions, truncated headers and impossible counts are refused', () => {
    const r = new Reassembler();
    expect(r.push(Uint8Array.of(2, 0, 0, 1, 0))).toMatchObject({ code: 'bad_frame' });
    expect(r.push(Uint8Array.of(1, 0))).toMatchObject({ code: 'bad_frame' });
    expect(r.push(Uint8Array.of(1, 0, 3, 2, 0))).toMatchObject({ code: 'bad_frame' });
    expect(r.push(Uint8Array.of(1, 0, 0, 0, 0))).toMatchObject({ code: 'wire_message_too_large' });
    expect(r.push(Uint8Array.of(1, 0, 0, 0xff, 0xff, 0x03, 0))).toMatchObject({
      code: 'wire_message_too_large',
    });
  });

  it('CH-D8 a message growing past its bound is refused as it arrives', () => {
    const r = new Reassembler({ maxMessageBytes: CHUNK_BYTES * 2 });
    const frames = encodeWireFrames(5, bytes(CHUNK_BYTES * 3));
    expect(r.push(frames[0]!)).toEqual({ ok: true, message: null });
    expect(r.push(frames[1]!)).toEqual({ ok: true, message: null });
    expect(r.push(frames[2]!)).toMatchObject({ code: 'wire_message_too_large' });
  });

  it('CH-D9 at most maxPartialWireMessages messages are in progress at once', () => {
    const r = new Reassembler();
    for (let id = 0; id < LIMITS.maxPartialWireMessages; id++) {
      expect(r.push(encodeWireFrames(id, bytes(CHUNK_BYTES + 1))[0]!)).toMatchObject({ ok: true });
    }
    expect(r.push(encodeWireFrames(99, bytes(CHUNK_BYTES + 1))[0]!)).toMatchObject({
      code: 'too_many_partials',
    });
  });

  it('CH-D10 a partial message that waits too many frames times out, counted in frames', () => {
    const r = new Reassembler({ maxWaitFrames: 3 });
    r.push(encodeWireFrames(1, bytes(CHUNK_BYTES + 1))[0]!);
    for (let i = 0; i < 3; i++) {
      expect(r.push(encodeWireFrames(100 + i, bytes(4))[0]!)).toMatchObject({ ok: true });
    }
    expect(r.push(encodeWireFrames(200, bytes(4))[0]!)).toMatchObject({
      code: 'reassembly_timeout',
    });
  });

  it('CH-D12 random frames are refused or held, never thrown', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (frames) => {
        const r = new Reassembler();
        for (const f of frames) {
          const result = r.push(f);
          if (!result.ok) return;
          if (result.message) expect(decodeMessage(result.message)).toHaveProperty('ok');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
