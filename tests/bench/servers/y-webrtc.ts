/**
 * S2 peer: y-webrtc's own signalling server, `y-webrtc/bin/server.js`, run as its
 * users run it (it reads PORT and listens when imported). Topics are rooms; a
 * `publish` goes to every subscriber of the topic, the sender included.
 */
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pollUntil } from '../lib/deadline.ts';
import type { StartedServer } from '../lib/child-protocol.ts';
import { freePort } from './free-port.ts';

export async function start(): Promise<StartedServer> {
  const port = await freePort();
  process.env['PORT'] = String(port);
  const require = createRequire(import.meta.url);
  // The package exports only its client (dist/y-webrtc.cjs); bin/ sits beside dist/.
  const packageDir = dirname(dirname(require.resolve('y-webrtc')));
  await import(pathToFileURL(join(packageDir, 'bin', 'server.js')).href);
  // server.js calls listen() without a callback: wait until the port answers.
  await pollUntil('y-webrtc signalling server to listen', () => accepts(port), 10_000);
  return { port };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
