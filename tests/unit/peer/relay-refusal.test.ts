/**
 * B5: a TURN server's refusal of a console's credentials, told apart from network
 * trouble, with the expiry read from the TURN REST username, and put in words.
 */
import { describe, expect, it } from 'vitest';
import { isRelayRefusal, relayRefusal } from '../../../app/lib/peer/relay-refusal.ts';
import { relayRefusalInWords } from '../../../app/lib/console/relay-refusal-words.ts';

const servers = [
  { urls: 'stun:127.0.0.1:3478' },
  { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000000:alice', credential: 'x' },
];
const at = (when: number | string) => new Date(when).toISOString().slice(11, 19);

describe('relay refusals (B5)', () => {
  it('only 4xx errors of turn: servers are refusals', () => {
    expect(isRelayRefusal({ url: 'turn:127.0.0.1:3478', code: 401, text: 'Unauthorized' })).toBe(
      true,
    );
    expect(isRelayRefusal({ url: 'turns:relay.example:443', code: 403, text: '' })).toBe(true);
    expect(isRelayRefusal({ url: 'turn:127.0.0.1:3478', code: 701, text: 'unreachable' })).toBe(
      false,
    );
    expect(isRelayRefusal({ url: 'stun:127.0.0.1:3478', code: 401, text: '' })).toBe(false);
  });

  it('expired credentials are told by the username, whatever query the browser reports', () => {
    const error = { url: 'turn:127.0.0.1:3478', code: 401, text: 'Unauthorized' };
    expect(relayRefusal(error, servers, 1_700_000_005_000).expiredAt).toBe(1_700_000_000_000);
    // Still valid when refused: not expired, so a different cause.
    expect(relayRefusal(error, servers, 1_699_999_000_000).expiredAt).toBeNull();
    // No such server in the configuration: nothing to tell.
    expect(relayRefusal({ ...error, url: 'turn:other:3478' }, servers, 2e12).expiredAt).toBeNull();
  });

  it('says what happened, when, and that the console renews by itself (no reload)', () => {
    const error = { url: 'turn:127.0.0.1:3478?transport=udp', code: 401, text: 'Unauthorized.' };
    const expired = relayRefusalInWords(relayRefusal(error, servers, 1_800_000_000_000), at);
    expect(expired).toBe(
      "The relay server (turn:127.0.0.1:3478) refused this console's relay credentials: they " +
        `expired at ${at('2023-11-14T22:13:20Z')} (TURN error 401 Unauthorized). ` +
        'The console keeps asking Peerdesk for fresh ones and tries this chat again with them ' +
        'by itself; until then it cannot connect through the relay. If this stays, the ' +
        'console cannot reach Peerdesk.',
    );
    const wrong = relayRefusalInWords(relayRefusal(error, servers, 1_600_000_000_000), at);
    expect(wrong).toContain('may not share the same secret');
    const other = relayRefusalInWords(
      relayRefusal({ ...error, code: 486, text: 'Allocation Quota Reached' }, servers, 0),
      at,
    );
    expect(other).toContain(
      'refused to relay for this console (TURN error 486 Allocation Quota Reached)',
    );
  });
});
