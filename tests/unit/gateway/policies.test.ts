import { describe, expect, it } from 'vitest';
import { createClientIpResolver } from '../../../signal/gateway/client-ip.ts';
import { createOriginPolicy, normalizeOrigin } from '../../../signal/gateway/origin-policy.ts';
import { ConnectionRateLimiter, TokenBucket } from '../../../signal/gateway/rate-limits.ts';

describe('client IP (B3)', () => {
  const resolve = createClientIpResolver(['10.0.0.0/8', '192.168.1.1', 'fd00::/8']);

  it('uses the socket address when the peer is not a trusted proxy', () => {
    expect(resolve('203.0.113.1', '1.1.1.1')).toBe('203.0.113.1');
    expect(resolve('0000:0000:0000:0000:0000:ffff:cb00:7101', undefined)).toBe('203.0.113.1');
  });

  it('reads X-Forwarded-For from a trusted proxy, from the right, skipping trusted hops', () => {
    expect(resolve('10.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(resolve('10.0.0.1', 'forged-by-client, 198.51.100.7, 10.2.3.4')).toBe('198.51.100.7');
    expect(resolve('192.168.1.1', '1.2.3.4, 5.6.7.8')).toBe('5.6.7.8');
    expect(resolve('fd00::1', '2001:db8::5')).toBe('2001:db8::5');
    expect(resolve('::ffff:10.0.0.1', '::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('stops at garbage and falls back to the nearest trusted hop', () => {
    expect(resolve('10.0.0.1', 'not-an-ip')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '10.9.9.9, 10.8.8.8')).toBe('10.9.9.9');
    expect(resolve('10.0.0.1', '')).toBe('10.0.0.1');
  });

  it('ignores the header when no proxy is trusted', () => {
    expect(createClientIpResolver([])('10.0.0.1', '1.2.3.4')).toBe('10.0.0.1');
  });
});

describe('origin policy', () => {
  const allowed = createOriginPolicy({
    publicOrigin: null,
    allowedOrigins: ['https://host.example'],
  });

  it('normalises origins and refuses opaque ones', () => {
    expect(normalizeOrigin('HTTPS://Host.Example:443')).toBe('https://host.example');
    expect(normalizeOrigin('null')).toBeNull();
    expect(normalizeOrigin('file:///x')).toBeNull();
  });

  it('allows its own host on any scheme and configured origins only', () => {
    expect(allowed('http://svc:8080', 'svc:8080').allowed).toBe(true);
    expect(allowed('https://svc:8080', 'svc:8080').allowed).toBe(true);
    expect(allowed('https://host.example', 'svc').allowed).toBe(true);
    expect(allowed('https://host.example.evil', 'svc').allowed).toBe(false);
    expect(allowed('http://svc:8081', 'svc:8080').allowed).toBe(false);
    expect(allowed(undefined, 'svc').allowed).toBe(true);
  });
});

describe('rate limits', () => {
  it('a token bucket allows the burst, then the rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(10_000)).toBe(true);
  });

  it('counts connections per IP per minute', () => {
    const limiter = new ConnectionRateLimiter(2);
    expect([
      limiter.allow('a', 0),
      limiter.allow('a', 1),
      limiter.allow('a', 2),
      limiter.allow('b', 2),
    ]).toEqual([true, true, false, true]);
    expect(limiter.allow('a', 60_000)).toBe(true);
  });
});
