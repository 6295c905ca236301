import { describe, expect, it } from 'vitest';
import { normalizeIp } from '../../../signal/transport/remote-address.ts';

describe('normalizeIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    // uWebSockets.js getRemoteAddressAsText for an IPv4 client of a dual-stack socket
    ['0000:0000:0000:0000:0000:ffff:7f00:0001', '127.0.0.1'],
    // node:net for the same
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    [' 192.168.1.1 ', '192.168.1.1'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it('leaves text that is not an IP unchanged', () => {
    expect(normalizeIp('unknown')).toBe('unknown');
    expect(normalizeIp('')).toBe('');
  });
});
