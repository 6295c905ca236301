/**
 * ICE servers for a participant. Staff get the configured servers plus short-lived
 * TURN credentials when `TURN_SECRET` is set (the TURN REST API scheme coturn's
 * `use-auth-secret` checks: username `<expiry seconds>:<participant>`, credential
 * `base64(HMAC-SHA1(secret, username))`). Anyone else gets only the STUN servers:
 * a relay costs bandwidth and is kept for signed-in staff.
 *
 * Exports: `mintTurnCredentials(turn, participant, now)` → `IceServer`;
 * `iceServersFor(config, staffId | null, now)` → `{ iceServers, relayOnly }`.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../../protocol/index.ts';
import type { Config, TurnConfig } from '../config.ts';

export function mintTurnCredentials(turn: TurnConfig, participant: string, now: number): IceServer {
  const expiry = Math.floor(now / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${participant}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: [...turn.urls], username, credential };
}

function stunOnly(server: IceServer): IceServer | null {
  const urls = (typeof server.urls === 'string' ? [server.urls] : server.urls).filter((url) =>
    /^stuns?:/i.test(url),
  );
  // STUN needs no credentials; none are passed on to someone not signed in.
  return urls.length === 0 ? null : { urls: urls.length === 1 ? (urls[0] ?? '') : urls };
}

export function iceServersFor(
  config: Pick<Config, 'iceServers' | 'turn' | 'relayOnlyHelpers'>,
  staffId: string | null,
  now: number,
): { iceServers: IceServer[]; relayOnly: boolean } {
  if (staffId === null) {
    return {
      iceServers: config.iceServers.map(stunOnly).filter((s): s is IceServer => s !== null),
      relayOnly: false,
    };
  }
  const iceServers = config.iceServers.map((server) => ({ ...server }));
  if (config.turn !== null) iceServers.push(mintTurnCredentials(config.turn, staffId, now));
  return { iceServers, relayOnly: config.relayOnlyHelpers };
}
