/**
 * Load-generator side of S1: one WebSocket (the `ws` client) per connection,
 * speaking each echo server's framing. Every server gets the same client code, so
 * client cost never tilts a comparison; socket.io is spoken as engine.io 4 frames
 * (`40` connect, `42["e",…]` events, `3` answering the server's `2` ping) rather
 * than through socket.io-client, whose extra work would land in its latency.
 */
import WebSocket from 'ws';

export type EchoTarget = 'plain' | 'socketio';

export type EchoConnection = {
  send(payload: string): void;
  terminate(): void;
};

const OPEN_TIMEOUT_MS = 30_000;

/** Opens one connection; `onEcho` runs for every echo received. */
export function openEchoConnection(
  target: EchoTarget,
  port: number,
  onEcho: () => void,
): Promise<EchoConnection> {
  const url =
    target === 'socketio'
      ? `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`
      : `ws://127.0.0.1:${port}/ws/echo`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no connection to ${url} within ${OPEN_TIMEOUT_MS} ms`));
    }, OPEN_TIMEOUT_MS);
    const connection: EchoConnection = {
      send:
        target === 'socketio'
          ? (payload) => ws.send(`42["e",${JSON.stringify(payload)}]`)
          : (payload) => ws.send(payload),
      terminate: () => ws.terminate(),
    };
    const ready = (): void => {
      clearTimeout(timer);
      resolve(connection);
    };
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (target === 'plain') {
      ws.once('open', ready);
      ws.on('message', () => onEcho());
      return;
    }
    // engine.io: the server opens with `0{…}`; we join the default namespace with
    // `40` and are in once `40{…}` comes back.
    ws.on('message', (data: Buffer) => {
      const head = data[0];
      const second = data[1];
      if (head === 0x34 && second === 0x32)
        onEcho(); // "42": an event
      else if (head === 0x32)
        ws.send('3'); // "2": ping
      else if (head === 0x30)
        ws.send('40'); // "0": engine.io open
      else if (head === 0x34 && second === 0x30) ready(); // "40": namespace joined
    });
  });
}

/** A payload of `bytes` ASCII characters. */
export function payloadOf(bytes: number): string {
  return 'x'.repeat(bytes);
}
