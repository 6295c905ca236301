/**
 * SP-ML4: the service is killed (SIGKILL, a real crash) while the mail server holds an
 * email's data and has not yet answered 250, so the service never marked it sent.
 * After a restart on the same data folder that email is not sent again (it is
 * `uncertain`: SMTP cannot tell whether the server kept it), and the outbox goes on:
 * the next email arrives once. The emails are the "we have your message" emails of
 * messages left in the widget (SP-TK8), sent through a real SMTP server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../protocol/index.ts';
import { freePort, ServiceProcess, until } from '../../fixtures/service-process.ts';
import { startSmtpSink, type SmtpSink } from '../../fixtures/smtp-sink.ts';
import { databaseFile } from '../../../signal/storage/sqlite-storage.ts';

/** A visitor who says hello and leaves a message; resolves with its id. */
function leaveMessage(port: number, name: string, email: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/visitor`);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION })));
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as { type: string; id?: string };
      if (msg.type === 'welcome') {
        ws.send(
          JSON.stringify({
            type: 'leave_message',
            name,
            email,
            department: 'general',
            message: `Hello from ${name}`,
          }),
        );
      } else if (msg.type === 'message_left' && msg.id !== undefined) {
        resolve(msg.id);
        ws.close();
      }
    });
  });
}

function outboxStates(dataDir: string): { recipient: string; state: string; attempts: number }[] {
  const db = new Database(databaseFile(dataDir), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT recipient, state, attempts FROM mail_outbox ORDER BY created_at')
      .all() as { recipient: string; state: string; attempts: number }[];
  } finally {
    db.close();
  }
}

describe('a crash between send and mark-sent', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-mail-crash-'));
  let service: ServiceProcess | undefined;
  let sink: SmtpSink | undefined;
  afterAll(async () => {
    await service?.kill();
    await sink?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'SP-ML4 does not send the email twice, and the outbox carries on',
    { timeout: 120_000 },
    async () => {
      const smtp = await startSmtpSink();
      sink = smtp;
      const running = new ServiceProcess(await freePort(), dataDir, { SMTP_URL: smtp.url });
      service = running;
      await running.start();

      // The crash: the service dies once the mail server has the message, before 250.
      smtp.beforeAccept = () => running.kill();
      await leaveMessage(running.port, 'Olga', 'olga@example.test');
      await until('the first email at the mail server', () => smtp.received.length === 1);
      await until('the service gone', () => running.child?.signalCode === 'SIGKILL');
      smtp.beforeAccept = null;
      expect(outboxStates(dataDir)).toEqual([
        { recipient: 'olga@example.test', state: 'sending', attempts: 1 },
      ]);

      await running.start();
      await leaveMessage(running.port, 'Ivan', 'ivan@example.test');
      await until('the second email', () => smtp.received.length >= 2);
      // The second email went out after the restart's first outbox pass: had the first
      // been sent again, it would have arrived before it.
      expect(smtp.received.map((m) => m.to)).toEqual([
        ['olga@example.test'],
        ['ivan@example.test'],
      ]);
      await until('the second marked sent', () => outboxStates(dataDir)[1]?.state === 'sent');
      expect(outboxStates(dataDir)).toEqual([
        { recipient: 'olga@example.test', state: 'uncertain', attempts: 1 },
        { recipient: 'ivan@example.test', state: 'sent', attempts: 1 },
      ]);
      const ids = smtp.received.map((m) => m.parsed.messageId);
      expect(new Set(ids).size).toBe(2);
      expect(smtp.received[0]?.parsed.text).toContain('/follow-up#');
    },
  );
});
