import { describe, expect, it } from 'vitest';
import { createClientIpResolver, normaliseIp } from '../../../signal/http/client-ip.ts';

describe('client IP (B3)', () => {
  it('B3 without trusted proxies the socket address is the client', () => {
    const resolve = createClientIpResolver([]);
    expect(resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
    expect(resolve('::ffff:203.0.113.9', undefined)).toBe('203.0.113.9');
  });

  it('B3 an untrusted peer cannot set its address by header', () => {
    const resolve = createClientIpResolver(['10.0.0.0/8']);
    expect(resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
  });

  it('B3 behind trusted proxies the first untrusted hop from the right is the client', () => {
    const resolve = createClientIpResolver(['10.0.0.0/8', '2001:db8::1']);
    expect(resolve('10.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(resolve('10.0.0.1', '198.51.100.7, 10.1.2.3')).toBe('198.51.100.7');
    // A client-supplied spoofed hop on the left is ignored.
    expect(resolve('10.0.0.1', '6.6.6.6, 198.51.100.7, 10.1.2.3')).toBe('198.51.100.7');
    expect(resolve('2001:db8::1', '2001:db8::77')).toBe('2001:db8::77');
    expect(resolve('::ffff:10.0.0.1', '::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('B3 garbage in the header does not become the client address', () => {
    const resolve = createClientIpResolver(['10.0.0.1']);
    expect(resolve('10.0.0.1', 'not-an-ip')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '10.0.0.1, 10.0.0.1')).toBe('10.0.0.1');
  });

  it('normalises IPv4-mapped IPv6', () => {
    expect(normaliseIp('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseIp('::1')).toBe('::1');
  });
});
