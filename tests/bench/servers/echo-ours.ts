/**
 * S1 "ours": an echo through our service's WebSocket layer, the transport the
 * service runs (signal/transport/uws-transport.ts) with the options the service
 * gives it by default. It measures what our layer adds over bare uWebSockets.js:
 * per-socket user data and the SocketConnection object, the copy of every frame
 * into a JS string before the handler (STYLE.md 8), corked sends with their result
 * checked, the open/close bookkeeping for graceful shutdown. The gateway and core
 * behind it (decoding, the switchboard) are measured through the real service in
 * S2 and S4; an echo has no protocol message to stand for, so it stops here.
 */
import { loadConfig } from '../../../signal/config.ts';
import { MAX_HTTP_BODY_BYTES } from '../../../signal/http/http-handler.ts';
import { createUwsTransport } from '../../../signal/transport/uws-transport.ts';
import type { StartedServer } from '../lib/child-protocol.ts';

export async function start(): Promise<StartedServer> {
  // The service's defaults, exactly as `npm start` would run with no environment.
  const loaded = loadConfig({}, []);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const config = loaded.config;
  const transport = createUwsTransport(
    {
      http: () => ({ status: 404, body: 'not found' }),
      upgrade: () => ({ accept: true, data: null }),
      open: () => undefined,
      message: (conn, text) => {
        if (text !== null) conn.send(text);
      },
      close: () => undefined,
    },
    {
      maxPayloadBytes: config.maxPayloadBytes,
      maxBackpressureBytes: config.maxBackpressureBytes,
      idleTimeoutSeconds: config.idleTimeoutSeconds,
      httpBodyLimit: () => MAX_HTTP_BODY_BYTES,
      wsPathPrefix: '/ws/',
    },
  );
  return { port: await transport.listen('127.0.0.1', 0) };
}
