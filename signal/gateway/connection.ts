/**
 * One WebSocket client as the gateway sees it. Its lifecycle is one explicit state
 * (STYLE.md 4), changed only by the gateway:
 *
 *   awaiting_hello --hello ok--> visitor | staff --socket closed--> closed
 *   awaiting_hello --refused or socket closed--> closed
 *
 * A socket we close is `closed` at once, though `ws` reports the close only after
 * the handshake; nothing it sends meanwhile is read.
 */
import type { AccountRole } from '../../protocol/index.ts';
import type { ConnId } from '../core/events.ts';
import type { SocketConnection } from '../transport/transport.ts';
import type { TokenBucket } from './rate-limits.ts';

export type Endpoint = 'visitor' | 'staff';

export type Phase =
  | { name: 'awaiting_hello' }
  | { name: 'visitor'; visitorId: string }
  /** `sessionKey`: which sign-in session the socket rides on, so a sign-out ends it. */
  | { name: 'staff'; accountId: string; role: AccountRole; sessionKey: string }
  /** `role`: what the connection was once it said hello (the core knew it), else null. */
  | { name: 'closed'; role: ConnectionRole | null };

/** Who a connection is once it said hello. */
export type ConnectionRole = 'visitor' | AccountRole;

export type Client = {
  readonly id: ConnId;
  readonly conn: SocketConnection;
  readonly endpoint: Endpoint;
  readonly ip: string;
  phase: Phase;
  readonly bucket: TokenBucket;
  /** Frames refused by the rate limit since the last one let through. */
  excess: number;
  /** Cancels the hello deadline; null once hello was said or the socket closed. */
  cancelHelloTimer: (() => void) | null;
};

/** What `upgrade` accepted with, carried to `open` in the transport's per-socket data.
 * A class, so that `open` can recognise it with `instanceof` rather than a cast. */
export class AcceptedUpgrade {
  constructor(
    readonly endpoint: Endpoint,
    readonly ip: string,
  ) {}
}

/** The endpoint a WebSocket path names, or null for any other path. */
export function endpointOf(path: string): Endpoint | null {
  if (path === '/ws/visitor') return 'visitor';
  if (path === '/ws/staff') return 'staff';
  return null;
}
