/**
 * The client IP of a request (SPEC.md SP-B3): the socket's peer address, unless that
 * peer is a configured trusted proxy, in which case `X-Forwarded-For` is read.
 *
 * The header is read from the right: each trusted proxy appends the address it got
 * the request from, so the rightmost address that is not a trusted proxy is the
 * first hop no one we trust vouches for, which is the client. Everything to its left
 * was written by the client itself and could be forged, which is why the leftmost
 * entry is used only when every hop is trusted.
 */
import { BlockList, isIP } from 'node:net';
import { normalizeIp } from '../transport/remote-address.ts';

export type ClientIpResolver = (socketAddress: string, forwardedFor: string | undefined) => string;

export function createClientIpResolver(trustedProxies: readonly string[]): ClientIpResolver {
  const trusted = new BlockList();
  for (const entry of trustedProxies) addEntry(trusted, entry);
  const isTrusted = (ip: string): boolean => {
    const family = isIP(ip);
    return family !== 0 && trusted.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };

  return (socketAddress, forwardedFor) => {
    const peer = normalizeIp(socketAddress);
    if (trustedProxies.length === 0 || forwardedFor === undefined || !isTrusted(peer)) return peer;
    const hops = forwardedFor
      .split(',')
      .map((hop) => normalizeIp(hop))
      .filter((hop) => hop !== '');
    let nearest = peer;
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i] ?? '';
      // Garbage in the header: trust stops here, at the proxy that passed it on.
      if (isIP(hop) === 0) return nearest;
      if (!isTrusted(hop)) return hop;
      nearest = hop;
    }
    return nearest;
  };
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address; config.ts has validated them. */
function addEntry(list: BlockList, entry: string): void {
  const [address = '', prefix] = entry.trim().split('/');
  const ip = normalizeIp(address);
  const family = isIP(ip);
  if (family === 0) return;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) list.addAddress(ip, type);
  else list.addSubnet(ip, Number(prefix), type);
}
