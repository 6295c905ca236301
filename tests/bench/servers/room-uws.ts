/**
 * S11 baseline: a room as bare uWebSockets.js does it: every socket subscribes to one
 * topic on open and a frame any socket sends is `app.publish`ed to the topic, its
 * sender included (as the Contributors room echoes to its writer, SP-CR2). Native binary
 * only; same payload limit and idle timeout as the service, nothing else.
 */
import { loadUwsNative } from '../../../signal/transport/uws-native.ts';
import type { StartedServer } from '../lib/child-protocol.ts';

const TOPIC = 'room';

export function start(): Promise<StartedServer> {
  const load = loadUwsNative();
  if (!load.ok) throw new Error(`uWebSockets.js native binary did not load: ${load.reason}`);
  const uws = load.uws;
  const app = uws.App();
  return new Promise((resolve, reject) => {
    app
      .ws('/*', {
        maxPayloadLength: 64 * 1024,
        idleTimeout: 60,
        open: (ws) => {
          ws.subscribe(TOPIC);
        },
        message: (_ws, message, isBinary) => {
          app.publish(TOPIC, message, isBinary);
        },
      })
      .listen('127.0.0.1', 0, (socket) => {
        if (socket === false) reject(new Error('uWebSockets.js could not listen'));
        else resolve({ port: uws.us_socket_local_port(socket as unknown as never) });
      });
  });
}
