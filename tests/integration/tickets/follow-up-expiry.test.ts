/**
 * SPEC.md SP-TK3: a follow-up link works for `FOLLOW_UP_LINK_DAYS` after it was issued
 * (30 in the mail fixture), then reading or replying gets 410 `follow_up_expired`;
 * a link issued later still works. The follow-up service on a real SQLite database
 * with a fake clock (mail-fixture.ts), so the days pass without waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../fixtures/smtp-sink.ts';
import { createMailWorld, type MailWorld } from '../mail/mail-fixture.ts';

const DAY = 86_400_000;
let sink: SmtpSink;
let world: MailWorld;

beforeEach(async () => {
  sink = await startSmtpSink();
  world = createMailWorld({ smtpUrl: sink.url });
});

afterEach(async () => {
  await world.close();
  await sink.stop();
});

/** The visitor of an ended chat asks for a link (SP-TK8); its token, from the path. */
function askLink(chatId: string): string {
  const started = world.service.followUps.visitorStart(`v-${chatId}`, { chatId }, undefined);
  if (!started.ok) throw new Error(`no link: ${started.code}`);
  const token = /^\/follow-up#([A-Za-z0-9_-]{43})$/.exec(started.value.path)?.[1];
  if (token === undefined) throw new Error(`not a follow-up path: ${started.value.path}`);
  return token;
}

describe('follow-up links expire (SP-TK3)', () => {
  it('works until FOLLOW_UP_LINK_DAYS have passed, then reads and replies get follow_up_expired', () => {
    world.endChat({ chatId: 'c-exp', name: 'Ines', email: 'ines@example.org' });
    const followUps = world.service.followUps;
    const token = askLink('c-exp');
    expect(followUps.read(token)).toMatchObject({ ok: true });

    world.clock.now += 30 * DAY;
    expect(followUps.read(token)).toMatchObject({ ok: true });
    expect(followUps.reply(token, 'Still slow on day 30')).toMatchObject({ ok: true });

    world.clock.now += 1;
    const expired = { ok: false, status: 410, code: 'follow_up_expired' };
    expect(followUps.read(token)).toEqual(expired);
    expect(followUps.reply(token, 'Too late?')).toEqual(expired);
    // SP-PV8: the download of the visitor's data is refused alike.
    expect(followUps.visitorOf(token)).toEqual(expired);

    // A link issued now works, and the thread kept the reply made in time only.
    const fresh = askLink('c-exp');
    const view = followUps.read(fresh);
    expect(view.ok && view.value.entries.map((e) => e.body)).toEqual(['Still slow on day 30']);
  });

  it('an unknown token is still unknown, and a revoked one revoked, whatever its age', () => {
    world.endChat({ chatId: 'c-rev', name: 'Ines', email: null });
    const followUps = world.service.followUps;
    const token = askLink('c-rev');
    const ticketId = followUps.list('all', null)[0]!.id;
    const revoked = followUps.revokeLinks({ id: 'a-vera', name: 'Vera', role: 'helper' }, ticketId);
    expect(revoked).toMatchObject({ ok: true });
    world.clock.now += 365 * DAY;
    expect(followUps.read(token)).toEqual({ ok: false, status: 410, code: 'follow_up_revoked' });
    expect(followUps.read('B'.repeat(43))).toEqual({
      ok: false,
      status: 404,
      code: 'unknown_ticket',
    });
  });
});
