import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceServersFor, mintTurnCredentials } from '../../../signal/http/ice-servers.ts';

const turn = { secret: 's3cret', urls: ['turn:turn.test:3478'], ttlSeconds: 600 };
const config = {
  iceServers: [
    { urls: 'stun:stun.test:3478' },
    { urls: ['turn:static.test', 'stun:both.test'], username: 'u', credential: 'c' },
  ],
  turn,
  relayOnlyHelpers: true,
};

describe('ICE servers', () => {
  it('mints TURN REST API credentials: expiry:participant, base64 HMAC-SHA1', () => {
    const server = mintTurnCredentials(turn, 'a1', 1_000_000);
    expect(server.username).toBe('1600:a1');
    expect(server.credential).toBe(createHmac('sha1', 's3cret').update('1600:a1').digest('base64'));
    expect(server.urls).toEqual(['turn:turn.test:3478']);
  });

  it('staff get the configured servers, fresh TURN credentials and relay-only', () => {
    const result = iceServersFor(config, 'a1', 0);
    expect(result.relayOnly).toBe(true);
    expect(result.iceServers).toHaveLength(3);
    expect(result.iceServers[2]?.username).toBe('600:a1');
  });

  it('anyone else gets only STUN, without credentials', () => {
    expect(iceServersFor(config, null, 0)).toEqual({
      iceServers: [{ urls: 'stun:stun.test:3478' }, { urls: 'stun:both.test' }],
      relayOnly: false,
    });
    expect(iceServersFor({ iceServers: [], turn: null, relayOnlyHelpers: false }, 'a1', 0)).toEqual(
      {
        iceServers: [],
        relayOnly: false,
      },
    );
  });
});
