/**
 * The hello handshake (SPEC.md SP-H1–SP-H3, SP-V1), done by the gateway before the core
 * hears of a connection: version check, staff session verification, visitor token
 * verification or minting. Returns the core event to emit, or the refusal.
 */
import {
  SUPPORTED_PROTOCOL_VERSIONS,
  type ErrorCode,
  type IceServer,
  type StaffToService,
  type VisitorToService,
} from '../../protocol/index.ts';
import type { CoreEvent } from '../core/events.ts';
import type { AccountRecord, VisitorIdentity } from '../core/records.ts';
import type { Phase } from './connection.ts';

type VisitorHelloMsg = Extract<VisitorToService, { type: 'hello' }>;
type StaffHelloMsg = Extract<StaffToService, { type: 'hello' }>;

/** Signs and checks visitor tokens (signal/auth/visitor-token.ts implements it). */
export interface VisitorTokenService {
  sign(identity: VisitorIdentity): string;
  /** The identity a valid token carries, or null; never throws. */
  verify(token: string): VisitorIdentity | null;
  /** A fresh identity for a visitor without a valid token. */
  mint(now: number, landingPage: string): VisitorIdentity;
}

export type HelloDeps = {
  visitorTokens: VisitorTokenService;
  /** The account of a live session token with a key naming the session (never the
   * token itself), or null (unknown, expired, revoked). */
  verifySession(token: string, now: number): { account: AccountRecord; sessionKey: string } | null;
  iceServers(who: { role: 'visitor' } | { role: 'staff'; account: AccountRecord }): IceServer[];
  relayOnlyHelpers: boolean;
};

export type HelloOutcome =
  { ok: true; event: CoreEvent; phase: Phase } | { ok: false; code: ErrorCode };

export function visitorHello(
  deps: HelloDeps,
  conn: number,
  ip: string,
  msg: VisitorHelloMsg,
  now: number,
): HelloOutcome {
  if (!SUPPORTED_PROTOCOL_VERSIONS.includes(msg.v)) return { ok: false, code: 'bad_version' };
  // SP-V1: a missing or invalid token starts a new visitor; a valid one keeps its identity.
  const known = msg.token === undefined ? null : deps.visitorTokens.verify(msg.token);
  const visitor = known ?? deps.visitorTokens.mint(now, msg.landingPage ?? '');
  return {
    ok: true,
    phase: { name: 'visitor', visitorId: visitor.visitorId },
    event: {
      type: 'visitor_hello',
      conn,
      ip,
      visitor,
      token: deps.visitorTokens.sign(visitor),
      iceServers: deps.iceServers({ role: 'visitor' }),
    },
  };
}

export function staffHello(
  deps: HelloDeps,
  conn: number,
  ip: string,
  msg: StaffHelloMsg,
  now: number,
): HelloOutcome {
  if (!SUPPORTED_PROTOCOL_VERSIONS.includes(msg.v)) return { ok: false, code: 'bad_version' };
  const session = deps.verifySession(msg.session, now);
  if (session === null) return { ok: false, code: 'unauthorized' };
  const { account, sessionKey } = session;
  return {
    ok: true,
    phase: { name: 'staff', accountId: account.id, role: account.role, sessionKey },
    event: {
      type: 'staff_hello',
      conn,
      ip,
      account,
      chats: msg.chats ?? [],
      available: msg.available,
      iceServers: deps.iceServers({ role: 'staff', account }),
      relayOnly: deps.relayOnlyHelpers,
    },
  };
}
