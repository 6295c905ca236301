/**
 * SPEC.md SP-TK8: after a chat the widget asks for a follow-up link with the visitor's
 * email. The email given is the one mailed (the link, then the transcript), each
 * once, whether or not the chat already had that address; another address does not
 * replace the ticket's, and nothing claims it was mailed. The follow-up service on a
 * real SQLite database with its outbox (mail-fixture.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../fixtures/smtp-sink.ts';
import { createMailWorld, type MailWorld } from '../mail/mail-fixture.ts';

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

/** The outbox rows queued to `to`, by kind. */
function queuedTo(to: string): string[] {
  return world.service.outbox
    .all()
    .filter((row) => row.recipient === to)
    .map((row) => row.kind)
    .sort();
}

describe('the widget asks for a follow-up link after a chat (SP-TK8)', () => {
  it('an email given in the pre-chat form and again now gets the link and the transcript once', async () => {
    world.endChat({ chatId: 'c-same', name: 'Vera', email: 'vera@example.org' });
    const started = world.service.followUps.visitorStart(
      'v-c-same',
      { chatId: 'c-same' },
      'Vera@Example.org',
    );
    expect(started).toMatchObject({ ok: true, value: { emailed: true } });
    // The "we have your message" email is composed asynchronously, then queued.
    await expect.poll(() => queuedTo('vera@example.org')).toEqual(['received', 'transcript']);
    // Asking again mails nothing more.
    world.service.followUps.visitorStart('v-c-same', { chatId: 'c-same' }, 'vera@example.org');
    expect(queuedTo('vera@example.org')).toEqual(['received', 'transcript']);
  });

  it('an email given only now becomes the ticket’s and is mailed', async () => {
    world.endChat({ chatId: 'c-new', name: 'Olga', email: null });
    const started = world.service.followUps.visitorStart(
      'v-c-new',
      { chatId: 'c-new' },
      'olga@example.org',
    );
    expect(started).toMatchObject({ ok: true, value: { emailed: true } });
    await expect.poll(() => queuedTo('olga@example.org')).toEqual(['received', 'transcript']);
    expect(world.service.followUps.list('all', null)[0]).toMatchObject({
      email: 'olga@example.org',
      assignee: { id: 'a-vera' },
    });
  });

  it('another address does not replace the chat’s, and the widget is not told it was mailed', () => {
    world.endChat({ chatId: 'c-other', name: 'Ines', email: 'ines@example.org' });
    const started = world.service.followUps.visitorStart(
      'v-c-other',
      { chatId: 'c-other' },
      'someone-else@example.org',
    );
    expect(started).toMatchObject({ ok: true, value: { emailed: false } });
    expect(queuedTo('someone-else@example.org')).toEqual([]);
    expect(world.service.followUps.list('all', null)[0]).toMatchObject({
      email: 'ines@example.org',
    });
  });
});
