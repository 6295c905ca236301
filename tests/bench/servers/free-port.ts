/** A free loopback port, for servers that only take one from the environment. */
import { createServer, type AddressInfo } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A port below the ephemeral range, for a service restarted under a reconnect
 * storm (see tests/fixtures/service-process.ts for why). */
export { freePort as freePortBelowEphemeral } from '../../fixtures/service-process.ts';
