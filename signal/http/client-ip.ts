/**
 * The client's IP (SPEC.md B3): the socket's address, unless that address is a
 * configured trusted proxy; then `X-Forwarded-For` is read from the right, skipping
 * trusted proxies, and the first address that is not one is the client. (Reading
 * from the left would believe whatever the client itself put in the header.)
 *
 * Exports: `createClientIpResolver(trustedProxies)` → `(remoteAddress, forwardedFor)`
 * → string; `normaliseIp(address)`.
 */
import { BlockList, isIP } from 'node:net';

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) is `1.2.3.4`. */
export function normaliseIp(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped?.[1] ?? trimmed;
}

export type ClientIpResolver = (remoteAddress: string, forwardedFor: string | undefined) => string;

export function createClientIpResolver(trustedProxies: readonly string[]): ClientIpResolver {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  const isTrusted = (address: string): boolean => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };

  return (remoteAddress, forwardedFor) => {
    const peer = normaliseIp(remoteAddress);
    if (trustedProxies.length === 0 || forwardedFor === undefined || !isTrusted(peer)) return peer;
    const hops = forwardedFor.split(',').map(normaliseIp);
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i] ?? '';
      // A hop that is not an IP ends the chain of trust: use the last good address.
      if (isIP(hop) === 0) return i === hops.length - 1 ? peer : (hops[i + 1] ?? peer);
      if (!isTrusted(hop)) return hop;
    }
    // Every hop was a trusted proxy: the leftmost is the closest thing to a client.
    return hops[0] ?? peer;
  };
}
