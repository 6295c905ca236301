/**
 * F32 retention (SPEC.md SP-PV4, SP-PV5): what the service keeps about visitors beyond
 * the archive (whose own sweep is SP-U9) is deleted once its period is over, and IP
 * addresses are kept only while a block needs them.
 * - Tickets whose last activity is older than `ticketRetentionDays`, with their
 *   messages, follow-up links and alerts.
 * - Left messages older than `leftMessageRetentionDays`.
 * - Blocks that ended (expired or lifted) more than `endedBlockRetentionDays` ago;
 *   the IP address of a block is cleared as soon as the block ends.
 * - The IP address of a left message, and of an ended chat's last record, once
 *   `ipRetentionDays` have passed (SP-PV6); the rest of them stays for their own period.
 * One transaction; the clock comes from outside.
 *
 * Exports: `sweepRetention(db, settings, now)`, `RetentionSettings`.
 */
import type { Database } from 'better-sqlite3';

export type RetentionSettings = {
  ticketRetentionDays: number;
  leftMessageRetentionDays: number;
  endedBlockRetentionDays: number;
  ipRetentionDays: number;
};

const DAY_MS = 24 * 60 * 60 * 1000;

export function sweepRetention(
  db: Database,
  settings: RetentionSettings,
  now: number,
): Record<string, number> {
  const before = (days: number) => now - days * DAY_MS;
  const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params).changes;
  return db.transaction(() => {
    const tickets = `SELECT id FROM tickets WHERE updated_at < ?`;
    const ticketCutoff = before(settings.ticketRetentionDays);
    const blockEnded = `coalesce(lifted_at, until)`;
    return {
      ticketAlerts: run(`DELETE FROM ticket_alerts WHERE ticket_id IN (${tickets})`, ticketCutoff),
      followUpLinks: run(
        `DELETE FROM follow_up_links WHERE ticket_id IN (${tickets})`,
        ticketCutoff,
      ),
      ticketMessages: run(
        `DELETE FROM ticket_messages WHERE ticket_id IN (${tickets})`,
        ticketCutoff,
      ),
      tickets: run(`DELETE FROM tickets WHERE updated_at < ?`, ticketCutoff),
      leftMessages: run(
        `DELETE FROM left_messages WHERE created_at < ?`,
        before(settings.leftMessageRetentionDays),
      ),
      blocks: run(
        `DELETE FROM blocks WHERE ${blockEnded} < ?`,
        before(settings.endedBlockRetentionDays),
      ),
      blockIps: run(`UPDATE blocks SET ip = NULL WHERE ip IS NOT NULL AND ${blockEnded} <= ?`, now),
      // SP-PV6: '' is "cleared" (the columns and records require a string).
      leftMessageIps: run(
        `UPDATE left_messages SET ip = '' WHERE ip <> '' AND created_at < ?`,
        before(settings.ipRetentionDays),
      ),
      closedChatIps: run(
        `UPDATE closed_chats SET record = json_set(record, '$.ip', '')
         WHERE ended_at < ? AND json_extract(record, '$.ip') <> ''`,
        before(settings.ipRetentionDays),
      ),
    };
  })();
}
