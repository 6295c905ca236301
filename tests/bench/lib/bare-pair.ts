/**
 * S5's peer, run inside one page: two RTCPeerConnections signalled in-page (offer,
 * answer and trickled candidates handed straight across), one ordered data channel,
 * then small messages echoed back. Self-contained, as `page.evaluate` needs: it
 * closes over nothing.
 */

export type BarePairRun = { roundTrips: number; bytes: number };
export type BarePairTimes = { openMs: number; roundTripMs: number[] };

export async function barePairInPage(run: BarePairRun): Promise<BarePairTimes> {
  const started = performance.now();
  // No ICE servers, as our service's default: loopback host candidates only.
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  // A candidate may come before the other side has the description it belongs to.
  const trickle = (from: RTCPeerConnection, to: RTCPeerConnection): (() => Promise<void>) => {
    const early: RTCIceCandidate[] = [];
    from.onicecandidate = (event) => {
      const candidate = event.candidate;
      if (candidate === null || candidate.candidate === '') return;
      if (to.remoteDescription === null) early.push(candidate);
      else void to.addIceCandidate(candidate);
    };
    return async () => {
      for (const candidate of early.splice(0)) await to.addIceCandidate(candidate);
    };
  };
  const flushToB = trickle(a, b);
  const flushToA = trickle(b, a);
  const channelA = a.createDataChannel('bench', { ordered: true });
  channelA.binaryType = 'arraybuffer';
  const openA = new Promise<number>((resolve) => {
    channelA.onopen = () => resolve(performance.now());
  });
  const channelB = new Promise<RTCDataChannel>((resolve) => {
    b.ondatachannel = (event) => resolve(event.channel);
  });
  const openB = channelB.then((channel) =>
    channel.readyState === 'open'
      ? performance.now()
      : new Promise<number>((resolve) => {
          channel.onopen = () => resolve(performance.now());
        }),
  );
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  await flushToB();
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  await flushToA();
  const openMs = Math.max(await openA, await openB) - started;

  const echo = await channelB;
  echo.binaryType = 'arraybuffer';
  echo.onmessage = (event: MessageEvent<ArrayBuffer>) => echo.send(event.data);
  const payload = new Uint8Array(run.bytes);
  const roundTripMs: number[] = [];
  // One untimed round trip first, as our side sends one before it times.
  for (let i = 0; i <= run.roundTrips; i++) {
    const back = new Promise<void>((resolve) => {
      channelA.onmessage = () => resolve();
    });
    const sent = performance.now();
    channelA.send(payload);
    await back;
    if (i > 0) roundTripMs.push(performance.now() - sent);
  }
  a.close();
  b.close();
  return { openMs, roundTripMs };
}
