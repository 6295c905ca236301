/**
 * B5: the console's words when the TURN server refused this console's credentials
 * (app/lib/peer/relay-refusal.ts): what happened, why when it can be told, and what
 * to do. A relay-only helper cannot reach anyone without the relay, so the notice
 * says the chat cannot connect rather than leave "Connecting…" unexplained. Expired
 * credentials renew themselves (SPEC.md SP-IR1: the console retries every 5 s and the
 * chat's link is retried with the fresh ones), so the words say that, not "reload".
 *
 * Exports: `relayRefusalInWords(refusal, formatTime)`.
 */
import type { RelayRefusal } from '../peer/relay-refusal.ts';

export function relayRefusalInWords(
  refusal: RelayRefusal,
  formatTime: (at: number) => string,
): string {
  const server = `The relay server (${refusal.url.split('?')[0]})`;
  // Chromium's error text ends with a full stop ("Unauthorized."): not inside brackets.
  const text = refusal.text.trim().replace(/\.$/, '');
  const answer = `TURN error ${refusal.code}${text ? ` ${text}` : ''}`;
  if (refusal.expiredAt !== null) {
    return (
      `${server} refused this console's relay credentials: they expired at ` +
      `${formatTime(refusal.expiredAt)} (${answer}). The console keeps asking Peerdesk ` +
      'for fresh ones and tries this chat again with them by itself; until then it cannot ' +
      'connect through the relay. If this stays, the console cannot reach Peerdesk.'
    );
  }
  if (refusal.code === 401 || refusal.code === 403) {
    return (
      `${server} refused this console's relay credentials (${answer}): the relay and ` +
      'Peerdesk may not share the same secret. This chat cannot connect through the relay.'
    );
  }
  return `${server} refused to relay for this console (${answer}). This chat cannot connect through the relay.`;
}
