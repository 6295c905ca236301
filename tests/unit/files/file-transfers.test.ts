import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  chunkCount,
  decodeFileFrame,
  FILE_CHUNK_BYTES,
  type Attachment,
} from '../../../protocol/index.ts';
import { sha256Hex } from '../../../app/lib/files/file-checks.ts';
import { memoryFileStore, type FileStore } from '../../../app/lib/files/file-store.ts';
import { ACK_BATCH_CHUNKS, FileTransfers } from '../../../app/lib/files/file-transfers.ts';
import { pipePair, pumpUntil, type PipeLink } from './pipe-link.ts';

const MB = 1024 * 1024;

async function fileOf(
  size: number,
  name = 'file.bin',
): Promise<{ meta: Attachment; bytes: Uint8Array }> {
  const bytes = new Uint8Array(randomBytes(size));
  return {
    bytes,
    meta: { name, mime: 'application/octet-stream', bytes: size, sha256: await sha256Hex(bytes) },
  };
}

function side(store: FileStore = memoryFileStore(), maxBytes = 10 * MB): FileTransfers {
  return new FileTransfers({ store, maxBytes });
}

/** The frames a link sent, decoded. */
const framesSent = (link: PipeLink) =>
  link.sent.map((f) => decodeFileFrame(f)).flatMap((d) => (d.ok ? [d.frame] : []));

/** CH-X15: a visitor holding a file, a helper linked to her, and a monitor linked to the
 * helper only (CH-X13, SP-M2). */
async function visitorHelperMonitor() {
  const { meta, bytes } = await fileOf(600_000);
  const visitor = side();
  await visitor.add(meta, bytes);
  const helper = side();
  const monitor = side();
  const [vh, hv] = pipePair(64 * 1024);
  const [hm, mh] = pipePair(64 * 1024);
  visitor.connect('helper', vh);
  helper.connect('visitor', hv);
  helper.connect('monitor', hm);
  monitor.connect('helper', mh);
  return { meta, bytes, helper, monitor, vh, hv, hm, mh };
}

describe('F13 attachments peer to peer (CHAT.md CH-X2–CH-X11)', () => {
  it('CH-X6 CH-X7: a file arrives byte for byte, pulled with flow control and acknowledged in batches', async () => {
    const { meta, bytes } = await fileOf(3 * MB + 123);
    const sender = side();
    const receiver = side();
    await sender.add(meta, bytes);
    const [toReceiver, toSender] = pipePair(256 * 1024);
    sender.connect('visitor', toReceiver);
    receiver.connect('helper', toSender);
    await receiver.sync([meta]);
    const total = chunkCount(meta.bytes);
    await pumpUntil([toReceiver, toSender], () => sender.sending(meta.sha256)[0]?.acked === total);

    const ready = receiver.view(meta.sha256);
    expect(ready?.status === 'ready' && Buffer.from(ready.bytes).equals(Buffer.from(bytes))).toBe(
      true,
    );
    // Never more than the high-water mark plus one chunk waited in the link's buffer.
    expect(toReceiver.peakBuffered).toBeLessThanOrEqual(256 * 1024 + FILE_CHUNK_BYTES + 64);
    const acks = framesSent(toSender).filter((f) => f.type === 'ack');
    expect(acks.map((a) => (a.type === 'ack' ? a.upTo : -1))).toEqual([
      ...Array.from(
        { length: Math.floor((total - 1) / ACK_BATCH_CHUNKS) },
        (_, i) => (i + 1) * ACK_BATCH_CHUNKS,
      ),
      total,
    ]);
    expect(sender.sending(meta.sha256)).toEqual([{ peer: 'visitor', acked: total, total }]);
  });

  it('CH-X7: after a link drop the receiver asks again from the last acknowledged chunk', async () => {
    const { meta, bytes } = await fileOf(2 * MB);
    const sender = side();
    const receiver = side();
    await sender.add(meta, bytes);
    const [a1, b1] = pipePair(128 * 1024);
    sender.connect('visitor', a1);
    receiver.connect('helper', b1);
    await receiver.sync([meta]);
    await pumpUntil([a1, b1], () => {
      const v = receiver.view(meta.sha256);
      return v?.status === 'receiving' && v.received >= ACK_BATCH_CHUNKS + 10;
    });
    a1.destroy('ice_failed');
    expect(receiver.view(meta.sha256)).toMatchObject({
      status: 'waiting',
      received: ACK_BATCH_CHUNKS,
      error: 'peer_left',
    });

    const [a2, b2] = pipePair(128 * 1024);
    sender.connect('visitor', a2);
    receiver.connect('helper', b2);
    expect(framesSent(b2)[0]).toEqual({
      type: 'want',
      sha256: meta.sha256,
      from: ACK_BATCH_CHUNKS,
    });
    await pumpUntil([a2, b2], () => receiver.view(meta.sha256)?.status === 'ready');
    const sentAgain = framesSent(a2).filter((f) => f.type === 'chunk');
    expect(sentAgain[0]).toMatchObject({ index: ACK_BATCH_CHUNKS });
    expect(sentAgain).toHaveLength(chunkCount(meta.bytes) - ACK_BATCH_CHUNKS);
  });

  it('CH-X7 CH-X8: after a reload the stored batches are kept and the rest is fetched', async () => {
    const { meta, bytes } = await fileOf(2 * MB + 5000);
    const store = memoryFileStore();
    const sender = side();
    await sender.add(meta, bytes);
    const first = side(store);
    const [a1, b1] = pipePair();
    sender.connect('visitor', a1);
    first.connect('helper', b1);
    await first.sync([meta]);
    await pumpUntil([a1, b1], () => {
      const v = first.view(meta.sha256);
      return v?.status === 'receiving' && v.received > ACK_BATCH_CHUNKS;
    });
    first.destroy();
    a1.destroy();

    const reloaded = side(store);
    await reloaded.sync([meta]);
    expect(reloaded.view(meta.sha256)).toMatchObject({
      status: 'waiting',
      received: ACK_BATCH_CHUNKS,
    });
    const [a2, b2] = pipePair();
    sender.connect('visitor', a2);
    reloaded.connect('helper', b2);
    expect(framesSent(b2)[0]).toMatchObject({ type: 'want', from: ACK_BATCH_CHUNKS });
    await pumpUntil([a2, b2], () => reloaded.view(meta.sha256)?.status === 'ready');
    // A third load finds the whole file stored and fetches nothing.
    const again = side(store);
    await again.sync([meta]);
    expect(again.view(meta.sha256)?.status).toBe('ready');
  });

  it('CH-X7: damaged bytes are dropped and asked for again; after three it gives up; another peer serves', async () => {
    const { meta, bytes } = await fileOf(200_000);
    const liar = side();
    const damaged = bytes.slice();
    damaged[1000] = (damaged[1000] ?? 0) ^ 0xff;
    await liar.add(meta, damaged);
    const receiver = side();
    const [l, rl] = pipePair();
    receiver.connect('liar', rl);
    liar.connect('receiver', l);
    await receiver.sync([meta]);
    await pumpUntil([l, rl], () => receiver.view(meta.sha256)?.status === 'cancelled');
    expect(receiver.view(meta.sha256)).toMatchObject({ error: 'damaged', received: 0 });
    const wants = framesSent(rl).filter((f) => f.type === 'want');
    expect(wants).toHaveLength(3);

    const honest = side();
    await honest.add(meta, bytes);
    const [h, rh] = pipePair();
    receiver.connect('honest', rh);
    honest.connect('receiver', h);
    receiver.resume(meta.sha256);
    await pumpUntil([l, rl, h, rh], () => receiver.view(meta.sha256)?.status === 'ready');
    const ready = receiver.view(meta.sha256);
    expect(ready?.status === 'ready' && (await sha256Hex(ready.bytes))).toBe(meta.sha256);
  });

  it('CH-X2: a file over the cap is never asked for, and says why', async () => {
    const { meta } = await fileOf(2000);
    const receiver = side(memoryFileStore(), 1000);
    const [, b] = pipePair();
    receiver.connect('visitor', b);
    await receiver.sync([meta]);
    expect(b.sent).toHaveLength(0);
    expect(receiver.view(meta.sha256)).toEqual({ status: 'refused', error: 'too_big' });
  });

  it("CH-X2: the admin's cap from the service applies: raised, a refused file is fetched; lowered, a file arriving is let go", async () => {
    const { meta, bytes } = await fileOf(2000);
    const sender = side();
    const receiver = side(memoryFileStore(), 1000);
    await sender.add(meta, bytes);
    const [toReceiver, toSender] = pipePair();
    sender.connect('visitor', toReceiver);
    receiver.connect('helper', toSender);
    await receiver.sync([meta]);
    expect(receiver.view(meta.sha256)).toEqual({ status: 'refused', error: 'too_big' });
    expect(receiver.maxBytes).toBe(1000);

    receiver.setMaxBytes(4000);
    expect(receiver.maxBytes).toBe(4000);
    await pumpUntil([toReceiver, toSender], () => receiver.view(meta.sha256)?.status === 'ready');

    // Lowered under a file still arriving: the receiver stops asking and says why.
    const big = await fileOf(3 * FILE_CHUNK_BYTES);
    await sender.add(big.meta, big.bytes);
    receiver.setMaxBytes(10 * MB);
    await receiver.sync([big.meta]);
    expect(framesSent(toSender).at(-1)).toMatchObject({ type: 'want', sha256: big.meta.sha256 });
    receiver.setMaxBytes(FILE_CHUNK_BYTES);
    expect(receiver.view(big.meta.sha256)).toEqual({ status: 'refused', error: 'too_big' });
    expect(framesSent(toSender).at(-1)).toMatchObject({ type: 'cancel', sha256: big.meta.sha256 });
  });

  it('CH-X6: a peer without the file says so and the next peer is asked', async () => {
    const { meta, bytes } = await fileOf(50_000);
    const empty = side();
    const holder = side();
    await holder.add(meta, bytes);
    await empty.sync([]);
    const receiver = side();
    const [e, re] = pipePair();
    const [h, rh] = pipePair();
    receiver.connect('empty', re);
    empty.connect('receiver', e);
    await receiver.sync([meta]);
    await pumpUntil([e, re], () => framesSent(e).some((f) => f.type === 'missing'));
    receiver.connect('holder', rh);
    holder.connect('receiver', h);
    await pumpUntil([e, re, h, rh], () => receiver.view(meta.sha256)?.status === 'ready');
  });

  it('CH-X13: a monitor holding a file serves none (answers missing), and a helper never asks a monitor', async () => {
    const { meta, bytes } = await fileOf(50_000);
    const monitor = new FileTransfers({
      store: memoryFileStore(),
      maxBytes: 10 * MB,
      mayServe: () => false,
    });
    await monitor.add(meta, bytes);
    // A peer that asks anyway (a modified client) gets `missing`, no bytes.
    const asker = side();
    const [m, am] = pipePair();
    monitor.connect('asker', m);
    asker.connect('monitor', am);
    await asker.sync([meta]);
    await pumpUntil([m, am], () => framesSent(m).some((f) => f.type === 'missing'));
    expect(framesSent(m).map((f) => f.type)).toEqual(['missing']);

    // A helper linked to the monitor only asks the other helper.
    const holder = side();
    await holder.add(meta, bytes);
    const helper = new FileTransfers({
      store: memoryFileStore(),
      maxBytes: 10 * MB,
      mayAsk: (peer) => peer !== 'monitor',
    });
    const [m2, hm] = pipePair();
    const [h, rh] = pipePair();
    monitor.connect('helper', m2);
    helper.connect('monitor', hm);
    await helper.sync([meta]);
    expect(framesSent(hm)).toEqual([]);
    holder.connect('helper', h);
    helper.connect('holder', rh);
    await pumpUntil([h, rh], () => helper.view(meta.sha256)?.status === 'ready');
    expect(framesSent(hm)).toEqual([]);
  });

  it('CH-X15: a monitor asking a helper who is still fetching the file is served once it arrives', async () => {
    const { meta, bytes, helper, monitor, vh, hv, hm, mh } = await visitorHelperMonitor();
    await helper.sync([meta]);
    await pumpUntil([vh, hv], () => helper.view(meta.sha256)?.status === 'receiving');
    // The monitor's only peer is the helper, who has nothing whole yet.
    await monitor.sync([meta]);
    await pumpUntil([hm, mh], () => framesSent(mh).some((f) => f.type === 'want'));
    expect(framesSent(hm).filter((f) => f.type === 'missing')).toEqual([]);
    await pumpUntil([vh, hv, hm, mh], () => monitor.view(meta.sha256)?.status === 'ready');
    const got = monitor.view(meta.sha256);
    expect(got?.status === 'ready' && Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('CH-X15: a held want is answered missing when the helper gives up the file', async () => {
    const { meta, helper, monitor, hm, mh } = await visitorHelperMonitor();
    await helper.sync([meta]);
    await monitor.sync([meta]);
    await pumpUntil([hm, mh], () => framesSent(mh).some((f) => f.type === 'want'));
    helper.cancel(meta.sha256);
    await pumpUntil([hm, mh], () => monitor.view(meta.sha256)?.status === 'waiting');
    expect(framesSent(hm).map((f) => f.type)).toEqual(['missing']);
  });

  it('CH-X11: the receiver cancels and resumes; the sender cancels and the receiver is told', async () => {
    const { meta, bytes } = await fileOf(3 * MB);
    const sender = side();
    await sender.add(meta, bytes);
    const receiver = side();
    const [a, b] = pipePair(64 * 1024);
    sender.connect('visitor', a);
    receiver.connect('helper', b);
    await receiver.sync([meta]);
    await pumpUntil(
      [a, b],
      () => (receiver.view(meta.sha256) as { received?: number }).received! > ACK_BATCH_CHUNKS,
    );
    receiver.cancel(meta.sha256);
    expect(receiver.view(meta.sha256)).toMatchObject({
      status: 'cancelled',
      received: ACK_BATCH_CHUNKS,
    });
    expect(framesSent(b).at(-1)).toEqual({ type: 'cancel', sha256: meta.sha256 });
    receiver.resume(meta.sha256);
    expect(framesSent(b).at(-1)).toEqual({
      type: 'want',
      sha256: meta.sha256,
      from: ACK_BATCH_CHUNKS,
    });
    await pumpUntil(
      [a, b],
      () => (receiver.view(meta.sha256) as { received?: number }).received! > 2 * ACK_BATCH_CHUNKS,
    );
    sender.cancel(meta.sha256);
    await pumpUntil([a, b], () => receiver.view(meta.sha256)?.status === 'waiting');
    expect(receiver.view(meta.sha256)).toMatchObject({ error: 'sender_cancelled' });
  });
});
