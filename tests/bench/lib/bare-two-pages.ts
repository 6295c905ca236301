/**
 * S5's main peer: a bare RTCPeerConnection pair as two people have it, one page each
 * (two browser contexts), signalled through the runner the way a signalling server
 * relays: the offer, the answer, and each ICE candidate as it is found (trickle, as
 * our sessions do), handed to the other page by an exposed function. One ordered data
 * channel; the second page echoes every message back. Each function runs in a page
 * (`page.evaluate`), so each is self-contained and keeps its state on `window`. Times
 * are on the machine's clock (`performance.timeOrigin + performance.now()`), which
 * both pages share.
 */

type PairWindow = typeof globalThis & {
  pair?: { pc: RTCPeerConnection; opened: Promise<number>; channel: Promise<RTCDataChannel> };
  /** Candidates from the other page that came before this page could take them. */
  pairEarly?: RTCIceCandidateInit[];
  /** Exposed by the runner: hands a candidate to the other page. */
  pairToPeer?: (candidate: string) => Promise<void>;
};

/** The first page: starts the pair; returns when it started and its offer. */
export async function pairOffer(): Promise<{ startedAt: number; sdp: string }> {
  const w = globalThis as PairWindow;
  const startedAt = performance.timeOrigin + performance.now();
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.onicecandidate = (event) => {
    if (event.candidate !== null && event.candidate.candidate !== '') {
      void w.pairToPeer!(JSON.stringify(event.candidate.toJSON()));
    }
  };
  const channel = pc.createDataChannel('bench', { ordered: true });
  channel.binaryType = 'arraybuffer';
  const open = new Promise<RTCDataChannel>((resolve) => {
    channel.onopen = () => resolve(channel);
  });
  const opened = open.then(() => performance.timeOrigin + performance.now());
  w.pair = { pc, opened, channel: open };
  await pc.setLocalDescription(await pc.createOffer());
  return { startedAt, sdp: pc.localDescription!.sdp };
}

/** The second page: takes the offer, echoes what arrives, returns its answer. */
export async function pairAnswer(offer: string): Promise<string> {
  const w = globalThis as PairWindow;
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.onicecandidate = (event) => {
    if (event.candidate !== null && event.candidate.candidate !== '') {
      void w.pairToPeer!(JSON.stringify(event.candidate.toJSON()));
    }
  };
  const channel = new Promise<RTCDataChannel>((resolve) => {
    pc.ondatachannel = (event) => {
      const c = event.channel;
      c.binaryType = 'arraybuffer';
      c.onmessage = (message: MessageEvent<ArrayBuffer>) => c.send(message.data);
      resolve(c);
    };
  });
  const opened = channel.then((c) =>
    c.readyState === 'open'
      ? performance.timeOrigin + performance.now()
      : new Promise<number>((resolve) => {
          c.onopen = () => resolve(performance.timeOrigin + performance.now());
        }),
  );
  w.pair = { pc, opened, channel };
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  for (const candidate of (w.pairEarly ??= []).splice(0)) await pc.addIceCandidate(candidate);
  await pc.setLocalDescription(await pc.createAnswer());
  return pc.localDescription!.sdp;
}

/** The first page takes the answer, then the candidates that came before it. */
export async function pairAccept(answer: string): Promise<void> {
  const w = globalThis as PairWindow;
  await w.pair!.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  for (const candidate of (w.pairEarly ??= []).splice(0))
    await w.pair!.pc.addIceCandidate(candidate);
}

/** A candidate from the other page: taken now, or kept until the description is in. */
export async function pairAddCandidate(json: string): Promise<void> {
  const w = globalThis as PairWindow;
  const candidate = JSON.parse(json) as RTCIceCandidateInit;
  const pc = w.pair?.pc;
  if (pc === undefined || pc.remoteDescription === null) (w.pairEarly ??= []).push(candidate);
  else await pc.addIceCandidate(candidate);
}

/** When this page's channel opened, on the machine's clock. */
export function pairOpenedAt(): Promise<number> {
  return (globalThis as PairWindow).pair!.opened;
}

/** From the first page: `count + 1` messages of `bytes` echoed back one at a time, the
 * first untimed (as our side sends one before it times). */
export async function pairRoundTrips(run: { count: number; bytes: number }): Promise<number[]> {
  const channel = await (globalThis as PairWindow).pair!.channel;
  const payload = new Uint8Array(run.bytes);
  const times: number[] = [];
  for (let i = 0; i <= run.count; i++) {
    const back = new Promise<void>((resolve) => {
      channel.onmessage = () => resolve();
    });
    const sent = performance.now();
    channel.send(payload);
    await back;
    if (i > 0) times.push(performance.now() - sent);
  }
  return times;
}

export function pairClose(): void {
  (globalThis as PairWindow).pair?.pc.close();
}
