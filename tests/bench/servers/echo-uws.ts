/**
 * S1 baseline: the bare uWebSockets.js echo, the floor any layer on uWS is judged
 * against. Native binary only (the child reports which one loaded; the runner
 * refuses the shim). Same payload limit and idle timeout as ours, nothing else.
 */
import { loadUwsNative } from '../../../signal/transport/uws-native.ts';
import type { StartedServer } from '../lib/child-protocol.ts';

export function start(): Promise<StartedServer> {
  const load = loadUwsNative();
  if (!load.ok) throw new Error(`uWebSockets.js native binary did not load: ${load.reason}`);
  const uws = load.uws;
  return new Promise((resolve, reject) => {
    uws
      .App()
      .ws('/*', {
        maxPayloadLength: 64 * 1024,
        idleTimeout: 60,
        message: (ws, message, isBinary) => {
          ws.send(message, isBinary);
        },
      })
      .listen('127.0.0.1', 0, (socket) => {
        if (socket === false) reject(new Error('uWebSockets.js could not listen'));
        else resolve({ port: uws.us_socket_local_port(socket as unknown as never) });
      });
  });
}
