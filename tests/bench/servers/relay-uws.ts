/**
 * S2 floor: a bare uWebSockets.js relay. Each socket names itself in the query
 * (`?id=…`); a frame is read for its `to` (JSON.parse: a relay that routes JSON by a
 * field has to read the field), the addressee is looked up by id and the frame's own
 * bytes are sent to it unchanged. No hello, no membership check, no decoding against
 * a schema, no re-serialising, no metrics: the least any relay of these frames can
 * do. Native binary only; same payload limit and idle timeout as the service.
 */
import type * as Uws from 'uWebSockets.js';
import { loadUwsNative } from '../../../signal/transport/uws-native.ts';
import type { StartedServer } from '../lib/child-protocol.ts';

type Named = { id: string };

export function start(): Promise<StartedServer> {
  const load = loadUwsNative();
  if (!load.ok) throw new Error(`uWebSockets.js native binary did not load: ${load.reason}`);
  const uws = load.uws;
  const byId = new Map<string, Uws.WebSocket<Named>>();
  const decoder = new TextDecoder();
  return new Promise((resolve, reject) => {
    uws
      .App()
      .ws<Named>('/*', {
        maxPayloadLength: 64 * 1024,
        idleTimeout: 60,
        upgrade: (res, req, context) => {
          const id = new URLSearchParams(req.getQuery() ?? '').get('id') ?? '';
          res.upgrade<Named>(
            { id },
            req.getHeader('sec-websocket-key'),
            req.getHeader('sec-websocket-protocol'),
            req.getHeader('sec-websocket-extensions'),
            context,
          );
        },
        open: (ws) => {
          byId.set(ws.getUserData().id, ws);
        },
        message: (_ws, message, isBinary) => {
          const frame = JSON.parse(decoder.decode(message)) as { to?: unknown };
          const to = typeof frame.to === 'string' ? byId.get(frame.to) : undefined;
          to?.send(message, isBinary);
        },
        close: (ws) => {
          const id = ws.getUserData().id;
          if (byId.get(id) === ws) byId.delete(id);
        },
      })
      .listen('127.0.0.1', 0, (socket) => {
        if (socket === false) reject(new Error('uWebSockets.js could not listen'));
        else resolve({ port: uws.us_socket_local_port(socket as unknown as never) });
      });
  });
}
