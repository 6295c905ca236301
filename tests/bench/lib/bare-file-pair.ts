/**
 * S9's peer: two pages, each with one RTCPeerConnection, signalled through the runner
 * (offer and answer with their candidates gathered, no trickle: loopback gathers at
 * once), one ordered data channel, and one page sending the same bytes as our file as
 * fast as the channel takes them: 16 KiB messages (the size our frames keep to, CHAT.md
 * CH-D1), sent while `bufferedAmount` is under a high-water mark of 1 MiB and resumed on
 * `bufferedamountlow` at 256 KiB. The receiver only counts bytes. Every function here
 * runs in a page (`page.evaluate`), so each is self-contained and keeps its state on
 * `window`.
 */

type BareWindow = typeof globalThis & {
  bench?: { pc: RTCPeerConnection; channel: Promise<RTCDataChannel> };
};

/** The sending page: its offer, candidates included. */
export async function bareOffer(): Promise<string> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel('bench', { ordered: true });
  channel.binaryType = 'arraybuffer';
  const open = new Promise<RTCDataChannel>((resolve) => {
    channel.onopen = () => resolve(channel);
  });
  (globalThis as BareWindow).bench = { pc, channel: open };
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState === 'complete') return pc.localDescription!.sdp;
  return new Promise<string>((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve(pc.localDescription!.sdp);
    });
  });
}

/** The receiving page: takes the offer, returns its answer. */
export async function bareAnswer(offer: string): Promise<string> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const channel = new Promise<RTCDataChannel>((resolve) => {
    pc.ondatachannel = (event) => {
      const c = event.channel;
      c.binaryType = 'arraybuffer';
      if (c.readyState === 'open') resolve(c);
      else c.onopen = () => resolve(c);
    };
  });
  (globalThis as BareWindow).bench = { pc, channel };
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState === 'complete') return pc.localDescription!.sdp;
  return new Promise<string>((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve(pc.localDescription!.sdp);
    });
  });
}

/** The sending page takes the answer and waits for its channel to open. */
export async function bareAccept(answer: string): Promise<void> {
  const bench = (globalThis as BareWindow).bench!;
  await bench.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await bench.channel;
}

/** The receiving page: resolves, on the shared clock, when `bytes` have arrived. */
export async function bareReceive(bytes: number): Promise<number> {
  const channel = await (globalThis as BareWindow).bench!.channel;
  return new Promise<number>((resolve) => {
    let received = 0;
    channel.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      received += event.data.byteLength;
      if (received >= bytes) resolve(performance.timeOrigin + performance.now());
    };
  });
}

/** The sending page: `bytes` of random data, then the time it started sending. */
export async function bareSend(bytes: number): Promise<number> {
  const channel = await (globalThis as BareWindow).bench!.channel;
  const MESSAGE = 16 * 1024;
  const HIGH = 1024 * 1024;
  channel.bufferedAmountLowThreshold = 256 * 1024;
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const started = performance.timeOrigin + performance.now();
  let offset = 0;
  while (offset < bytes) {
    while (offset < bytes && channel.bufferedAmount < HIGH) {
      channel.send(data.subarray(offset, offset + MESSAGE));
      offset += MESSAGE;
    }
    if (offset < bytes) {
      await new Promise<void>((resolve) => {
        channel.onbufferedamountlow = () => resolve();
      });
    }
  }
  return started;
}

/** Either page, at the end. */
export function bareClose(): void {
  (globalThis as BareWindow).bench?.pc.close();
}
