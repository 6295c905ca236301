/** Both transports pass the same contract (STYLE.md 6). The uWS run requires the
 * native binary: a silent fall back to the shim would make it test the wrong thing. */
import { describe, expect, it } from 'vitest';
import { describeTransport } from '../../signal/transport/uws-native.ts';
import { createUwsTransport } from '../../signal/transport/uws-transport.ts';
import { createWsTransport } from '../../signal/transport/ws-transport.ts';
import { runTransportContract } from './transport-contract.ts';

describe('uWebSockets.js native binary', () => {
  it('loads natively on this machine (DESIGN.md 8)', () => {
    expect(describeTransport()).toMatchObject({ uwsNative: true, reason: null });
  });
});

runTransportContract('uws', createUwsTransport);
runTransportContract('ws', createWsTransport);
