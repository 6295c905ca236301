/**
 * S1 peer: a socket.io echo, websocket transport only (no long-polling upgrade
 * dance), defaults otherwise. The client speaks engine.io 4 on a plain WebSocket
 * (clients/echo-protocols.ts) so that both sides of the comparison pay the same
 * client cost.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { StartedServer } from '../lib/child-protocol.ts';

export function start(): Promise<StartedServer> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    socket.on('e', (payload: unknown) => socket.emit('e', payload));
  });
  return new Promise((resolve) => {
    http.listen(0, '127.0.0.1', () => resolve({ port: (http.address() as AddressInfo).port }));
  });
}
