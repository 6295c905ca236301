/**
 * Builds a whole MIME message (headers, a plain-text and an HTML part) with
 * nodemailer's own composer, run through its stream transport into a buffer. The
 * outbox stores the result, so every attempt sends the very same bytes, Message-ID
 * included (the receiving side can tell a repeat by it).
 *
 * Exports: `composeMail(mail)` → the message as text (CRLF line ends), `Composed`.
 */
import nodemailer from 'nodemailer';

export type Composed = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<id@domain>`, stable for the email's whole life. */
  messageId: string;
  date: Date;
  /** Threads the follow-up emails of one ticket together in mail clients. */
  references?: string;
};

const composer = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: 'windows',
});

export async function composeMail(mail: Composed): Promise<string> {
  const info = await composer.sendMail({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    date: mail.date,
    ...(mail.references === undefined ? {} : { references: mail.references }),
    // Automatic mail: out-of-office replies should not answer it (RFC 3834).
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
  const message = info.message;
  if (!Buffer.isBuffer(message)) throw new Error('the composer did not return a buffer');
  return message.toString('utf8');
}
