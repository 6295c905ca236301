/**
 * The mailer (STYLE.md point 6): one small interface in front of how email leaves the
 * service. With `SMTP_URL` set, nodemailer's SMTP transport hands each message to
 * that server; without it, each message is written as an `.eml` file in
 * `DATA_DIR/mail/` (the README says so), which any mail client opens.
 *
 * Messages arrive already built (mail-composer.ts): the mailer sends the same bytes,
 * with the same Message-ID, on every attempt.
 *
 * Exports: `Mailer`, `SendOutcome`, `createSmtpMailer(url)`, `createFileMailer(dir)`,
 * `mailFolder(dataDir)`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      /** The server's reply code when it answered (5xx: permanent), null when unreachable. */
      responseCode: number | null;
      error: string;
    };

export type Envelope = { from: string; to: string };

export interface Mailer {
  /** Where mail goes, for the log (never the password of an SMTP URL). */
  readonly describe: string;
  /** True when sending the same message twice has the effect of sending it once (a
   * file named by the message), so an interrupted send may simply be repeated. */
  readonly idempotent: boolean;
  send(id: string, envelope: Envelope, raw: string): Promise<SendOutcome>;
  close(): void;
}

/** How long one SMTP attempt may take before it counts as failed (then retried). */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function createSmtpMailer(url: string): Mailer {
  const parsed = new URL(url);
  const transport = nodemailer.createTransport(url, {});
  // URL options cannot carry timeouts; the transport reads them from its options.
  Object.assign(transport.options, SMTP_TIMEOUTS);
  return {
    describe: `SMTP ${parsed.protocol}//${parsed.hostname}:${parsed.port || '(default port)'}`,
    idempotent: false,
    async send(_id, envelope, raw) {
      try {
        await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
        return { ok: true };
      } catch (error) {
        const code = (error as { responseCode?: unknown }).responseCode;
        return {
          ok: false,
          responseCode: typeof code === 'number' ? code : null,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
    close: () => transport.close(),
  };
}

export function mailFolder(dataDir: string): string {
  return join(dataDir, 'mail');
}

/** Writes `<id>.eml` atomically (a temporary file renamed into place), so a crash
 * leaves either no file or the whole message, and writing it again replaces it. */
export function createFileMailer(dir: string): Mailer {
  return {
    describe: `.eml files in ${dir}`,
    idempotent: true,
    send(id, _envelope, raw) {
      try {
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${id}.eml`);
        writeFileSync(`${file}.tmp`, raw);
        renameSync(`${file}.tmp`, file);
        return Promise.resolve({ ok: true });
      } catch (error) {
        return Promise.resolve({
          ok: false,
          responseCode: null,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
    close: () => undefined,
  };
}
