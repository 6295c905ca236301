/**
 * Why signal/transport/uws-transport.ts keeps its own list of open sockets for
 * shutdown (issue 17 asks to drop it if the uWS build can close them all itself).
 * This build (20.30) has `app.close()`, but it drops every socket without a close
 * frame: the client sees 1006 and the close handler gets 1006, never the 1012
 * `shutting_down` that the transport contract (transport-contract.ts) and the
 * service's shutdown owe each client. `publish` sends data frames only, so a topic
 * cannot carry the close either. If this test fails, the build closes gracefully
 * by itself and the list can go.
 */
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { loadUwsNative } from '../../signal/transport/uws-native.ts';

describe('uWebSockets.js app.close()', () => {
  it('drops open sockets without a close frame (1006), so a graceful 1012 needs each socket', async () => {
    const load = loadUwsNative();
    if (!load.ok) throw new Error(load.reason);
    const uws = load.uws;
    const app = uws.App();
    const serverCloses: number[] = [];
    app.ws('/*', { close: (_ws, code) => serverCloses.push(code) });
    const port = await new Promise<number>((resolve, reject) =>
      app.listen('127.0.0.1', 0, (socket) => {
        if (socket === false) reject(new Error('could not listen'));
        else resolve(uws.us_socket_local_port(socket as unknown as never));
      }),
    );
    const client = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    (app as unknown as { close(): void }).close();
    expect(await closed).toBe(1006);
    expect(serverCloses).toEqual([1006]);
  });
});
