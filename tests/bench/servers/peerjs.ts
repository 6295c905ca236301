/**
 * S2 peer: the PeerJS server (`peer`), defaults except the limit on registered
 * peers (5,000 by default), raised to fit the largest run.
 */
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { PeerServer } from 'peer';
import type { StartedServer } from '../lib/child-protocol.ts';

const Options = v.object({ maxPeers: v.number() });

export function start(options: unknown): Promise<StartedServer> {
  const { maxPeers } = v.parse(Options, options);
  return new Promise((resolve) => {
    PeerServer({ host: '127.0.0.1', port: 0, path: '/', concurrent_limit: maxPeers }, (server) =>
      resolve({ port: (server.address() as AddressInfo).port }),
    );
  });
}
