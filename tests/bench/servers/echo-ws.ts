/** S1 peer: an echo on `ws` (the library most Node WebSocket servers use), defaults. */
import { WebSocketServer } from 'ws';
import type { StartedServer } from '../lib/child-protocol.ts';

export function start(): Promise<StartedServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return new Promise((resolve) => {
    wss.once('listening', () => {
      const address = wss.address();
      if (address === null || typeof address === 'string') throw new Error('ws: no port');
      resolve({ port: address.port });
    });
  });
}
