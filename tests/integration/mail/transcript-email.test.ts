/**
 * F23 with a real SMTP server (smtp-sink.ts) and a fake clock: the transcript of an
 * ended chat arrives once, with its formatting, in both parts (SP-ML1, SP-ML2, SP-ML5); with
 * the mail server down at the end and back later it still arrives exactly once (SP-ML3);
 * a chat that is never archived gets no email (SP-ML1); the XSS corpus stays inert in
 * the email's HTML (SP-ML5).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XSS_FULL_CORPUS } from '../../fixtures/xss-corpus.ts';
import { startSmtpSink, type SmtpSink } from '../../fixtures/smtp-sink.ts';
import { START, createMailWorld, line, type MailWorld } from './mail-fixture.ts';

const ALLOWED_TAGS = [
  '!doctype',
  'html',
  'head',
  'meta',
  'title',
  'body',
  'div',
  'p',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'a',
  'br',
  'ul',
  'ol',
  'li',
  'blockquote',
];
const ALLOWED_ATTRIBUTES = ['charset', 'style', 'class', 'dir', 'href', 'target', 'rel', 'start'];

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

function archive(chatId: string, lines = defaultLines()): void {
  world.archive.set(chatId, { chatId, lines });
}

function defaultLines() {
  return [
    line('m1', 'visitor', 'Olga', 'Where did my **bookmarks** go?', START + 1_000),
    line(
      'm2',
      'helper',
      'Vera',
      'Open _Library_:\n- press `Ctrl+Shift+O`\n- pick a folder',
      START + 60_000,
    ),
  ];
}

describe('the transcript email (F23)', () => {
  it('SP-ML1 SP-ML2 SP-ML5: arrives once, with the chat formatted in HTML and in plain text', async () => {
    world.endChat({ chatId: 'c1', name: 'Olga', email: 'olga@example.test' });
    archive('c1');
    world.clock.now += 5_000;
    expect(await world.service.worker.runDue()).toBe(1);
    // Later passes find nothing more to send.
    world.clock.now += 60 * 60_000;
    expect(await world.service.worker.runDue()).toBe(0);

    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.to).toEqual(['olga@example.test']);
    expect(mail.parsed.subject).toBe('Your chat transcript');
    expect(mail.parsed.from?.value).toEqual([{ address: 'help@peerdesk.test', name: 'Peerdesk' }]);
    const html = String(mail.parsed.html);
    expect(html).toContain('Where did my <strong>bookmarks</strong> go?');
    expect(html).toContain('<em>Library</em>');
    expect(html).toMatch(/<li>(<p>)?press <code>Ctrl\+Shift\+O<\/code>/);
    expect(html).toContain('Vera (helper)');
    const text = mail.parsed.text ?? '';
    expect(text).toContain('Hello Olga,');
    expect(text).toContain('Olga, 2026-12-06 09:00 UTC:\n    Where did my **bookmarks** go?');
    expect(text).toContain('Vera (helper), 2026-12-06 09:01 UTC:');
    const row = world.service.outbox.byKey('transcript:c1');
    expect(row?.state).toBe('sent');
    expect(mail.parsed.messageId).toBe(row?.messageId);
    // Once sent, the stored message is dropped (it may hold a follow-up link).
    expect(row?.raw).toBeNull();
  });

  it('SP-ML1: a chat without an email, or that is asked twice, is mailed at most once', async () => {
    world.endChat({ chatId: 'c-none', name: 'Nobody', email: null });
    world.endChat({ chatId: 'c2', name: 'Olga', email: 'olga@example.test' });
    world.service.followUps.chatEnded('c2');
    archive('c-none');
    archive('c2');
    expect(await world.service.worker.runDue()).toBe(1);
    expect(sink.received.map((m) => m.to)).toEqual([['olga@example.test']]);
  });

  it('SP-ML1: waits for the archive, and sends nothing when the chat is never archived', async () => {
    world.endChat({ chatId: 'late', name: 'Olga', email: 'olga@example.test' });
    world.endChat({ chatId: 'never', name: 'Ivan', email: 'ivan@example.test' });
    expect(await world.service.worker.runDue()).toBe(0);
    world.clock.now += 2 * 60_000;
    archive('late');
    expect(await world.service.worker.runDue()).toBe(1);
    world.clock.now += 10 * 60_000;
    expect(await world.service.worker.runDue()).toBe(0);
    expect(world.service.outbox.byKey('transcript:never')?.state).toBe('no_transcript');
    expect(sink.received.map((m) => m.to)).toEqual([['olga@example.test']]);
  });

  it('SP-ML3: the mail server is down at the end and back later: the email arrives exactly once', async () => {
    const port = sink.port;
    await sink.stop();
    world.endChat({ chatId: 'c3', name: 'Olga', email: 'olga@example.test' });
    archive('c3');
    expect(await world.service.worker.runDue()).toBe(0);
    const first = world.service.outbox.byKey('transcript:c3');
    expect(first?.state).toBe('ready');
    expect(first?.attempts).toBe(1);
    expect(first?.lastError).toMatch(/ECONNREFUSED/);
    // Backoff: not due before its time, then due and failing again (still down).
    expect(first?.nextAttemptAt).toBe(world.clock.now + 10_000);
    world.clock.now += 9_000;
    expect(await world.service.worker.runDue()).toBe(0);
    expect(world.service.outbox.byKey('transcript:c3')?.attempts).toBe(1);
    world.clock.now += 1_000;
    expect(await world.service.worker.runDue()).toBe(0);
    const second = world.service.outbox.byKey('transcript:c3');
    expect(second?.attempts).toBe(2);
    expect(second?.nextAttemptAt).toBe(world.clock.now + 20_000);

    // The server comes back on the same port; at the next attempt the email goes.
    sink.port = port;
    await sink.start();
    world.clock.now += 20_000;
    expect(await world.service.worker.runDue()).toBe(1);
    world.clock.now += 60 * 60_000;
    expect(await world.service.worker.runDue()).toBe(0);
    expect(sink.received).toHaveLength(1);
    expect(world.service.outbox.byKey('transcript:c3')?.attempts).toBe(3);
    expect(world.service.outbox.byKey('transcript:c3')?.state).toBe('sent');
  });

  it('SP-ML5: every entry of the full XSS corpus stays inert text in the HTML part', async () => {
    // Bodies and the names shown beside them are both hostile (issue 16).
    const lines = XSS_FULL_CORPUS.map((body, i) =>
      line(
        `x${i}`,
        i % 2 === 0 ? 'visitor' : 'helper',
        XSS_FULL_CORPUS[(i + 7) % XSS_FULL_CORPUS.length] ?? 'Vera',
        body,
        START + i,
      ),
    );
    world.endChat({
      chatId: 'xss',
      name: '<img src=x onerror=alert(1)>',
      email: 'olga@example.test',
    });
    archive('xss', lines);
    expect(await world.service.worker.runDue()).toBe(1);
    const html = String(sink.received[0]?.parsed.html);
    // Text escapes every `<`, so each `<` left is a tag Peerdesk wrote: only known
    // tags, with only known attributes, links only to http(s) and mailto.
    for (const [, name, attributes] of html.matchAll(/<\/?([a-zA-Z!]+)([^>]*)>/g)) {
      expect(ALLOWED_TAGS, `tag ${name}`).toContain(name?.toLowerCase());
      for (const [, attribute, value] of (attributes ?? '').matchAll(/\s([a-z-]+)="([^"]*)"/g)) {
        expect(ALLOWED_ATTRIBUTES, `attribute ${attribute}`).toContain(attribute);
        if (attribute === 'href') expect(value).toMatch(/^(https?:\/\/|mailto:)/);
        // Only Peerdesk's own styles: nothing a payload could load or run.
        if (attribute === 'style') expect(value).not.toMatch(/url\(|expression|@import/i);
      }
    }
    expect(html).toContain('&lt;script>alert("script tag")&lt;/script>');
    expect(html).toContain('Hello &lt;img src=x onerror=alert(1)>,');
  });
});
