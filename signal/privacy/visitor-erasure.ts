/**
 * F32 "forget this visitor" (SPEC.md SP-PV1–SP-PV3): everything stored about a visitor,
 * found by their visitor id or their email, erased in one transaction: archived
 * transcripts (with their search text, helpers and kept files), ratings, tags and
 * labels of their chats, the closed-chat records, tickets (with their messages,
 * follow-up links and alerts), the room's alerts that point at those tickets or
 * chats, left messages, queued and sent emails to them or about their chats, and
 * blocks. A visitor in a chat right now is refused (409 `visitor_chatting`): their
 * chat is still being written.
 *
 * An email finds every visitor id stored with it, and a visitor id every email
 * stored with it, so "forget" reaches what either one names.
 *
 * The audit log keeps its lines (who did what) but loses the visitor in them: their
 * visitor ids, emails and the IP addresses stored with them (a block's lift names
 * both) become `[forgotten]` (SP-PV7). The result says which outbox emails went and
 * what names the visitor, so the caller can remove the `.eml` files written for
 * them too (signal/privacy/mail-file-erasure.ts).
 *
 * Exports: `eraseVisitor(db, target)`, `ErasureTarget`, `ErasureResult`, `FORGOTTEN`.
 */
import type { Database } from 'better-sqlite3';

export type ErasureTarget = { visitorId?: string | undefined; email?: string | undefined };

export type ErasureResult =
  | {
      ok: true;
      erased: Record<string, number>;
      /** Ids of the outbox emails erased, and every id, email and IP that named the visitor. */
      found: { outboxIds: string[]; needles: string[] };
    }
  | { ok: false; code: 'visitor_chatting' };

/** What an audit line says in place of the visitor's id, email or IP address. */
export const FORGOTTEN = '[forgotten]';

/** `IN (SELECT value FROM json_each(?))`: a list bound as one JSON parameter. */
const IN = 'IN (SELECT value FROM json_each(?))';

export function eraseVisitor(db: Database, target: ErasureTarget): ErasureResult {
  return db.transaction((): ErasureResult => {
    const ids = new Set<string>(target.visitorId ? [target.visitorId] : []);
    const emails = new Set<string>(target.email ? [target.email.trim().toLowerCase()] : []);
    const column = (sql: string, ...params: unknown[]) =>
      (
        db
          .prepare(sql)
          .pluck()
          .all(...params) as unknown[]
      ).filter((value): value is string => typeof value === 'string' && value !== '');
    // Each side finds more of the other until nothing new turns up.
    for (let round = 0; round < 4; round += 1) {
      const before = ids.size + emails.size;
      const e = JSON.stringify([...emails]);
      const i = JSON.stringify([...ids]);
      for (const table of ['transcripts', 'left_messages', 'tickets']) {
        const emailColumn = table === 'transcripts' ? 'visitor_email' : 'email';
        for (const id of column(
          `SELECT visitor_id FROM ${table} WHERE lower(${emailColumn}) ${IN}`,
          e,
        ))
          ids.add(id);
        for (const email of column(
          `SELECT lower(${emailColumn}) FROM ${table} WHERE visitor_id ${IN}`,
          i,
        ))
          emails.add(email);
      }
      // The email the visitor gave is in the record's request details.
      const recorded = `lower(json_extract(record, '$.details.email'))`;
      for (const id of column(`SELECT visitor_id FROM closed_chats WHERE ${recorded} ${IN}`, e))
        ids.add(id);
      for (const email of column(`SELECT ${recorded} FROM closed_chats WHERE visitor_id ${IN}`, i))
        emails.add(email);
      if (ids.size + emails.size === before) break;
    }
    const i = JSON.stringify([...ids]);
    const e = JSON.stringify([...emails]);
    if (column(`SELECT chat_id FROM open_chats WHERE visitor_id ${IN}`, i).length > 0) {
      return { ok: false, code: 'visitor_chatting' };
    }
    const chats = new Set([
      ...column(`SELECT chat_id FROM closed_chats WHERE visitor_id ${IN}`, i),
      ...column(`SELECT chat_id FROM transcripts WHERE visitor_id ${IN}`, i),
      ...column(`SELECT chat_id FROM left_messages WHERE visitor_id ${IN}`, i),
      ...column(`SELECT chat_id FROM tickets WHERE visitor_id ${IN} OR lower(email) ${IN}`, i, e),
    ]);
    const c = JSON.stringify([...chats]);
    const tickets = JSON.stringify(
      column(
        `SELECT id FROM tickets WHERE visitor_id ${IN} OR lower(email) ${IN} OR chat_id ${IN}`,
        i,
        e,
        c,
      ),
    );
    const leftMessages = JSON.stringify(
      column(`SELECT id FROM left_messages WHERE visitor_id ${IN} OR lower(email) ${IN}`, i, e),
    );
    const ips = new Set([
      ...column(`SELECT ip FROM blocks WHERE visitor_id ${IN}`, i),
      ...column(`SELECT ip FROM left_messages WHERE id ${IN}`, leftMessages),
      ...column(`SELECT json_extract(record, '$.ip') FROM closed_chats WHERE chat_id ${IN}`, c),
    ]);
    const needles = [...ids, ...emails, ...ips];
    const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params).changes;
    const mentions = (field: string) =>
      `EXISTS (SELECT 1 FROM json_each(?) AS x WHERE instr(${field}, x.value) > 0)`;
    const outboxIds = column(
      `SELECT id FROM mail_outbox WHERE chat_id ${IN} OR ${mentions('lower(recipient)')}`,
      c,
      e,
    );
    let auditLines = 0;
    for (const needle of needles) {
      auditLines += run(
        `UPDATE audit_log SET target = replace(target, @needle, @forgotten),
           detail = replace(detail, @needle, @forgotten)
         WHERE instr(target, @needle) > 0 OR instr(detail, @needle) > 0`,
        { needle, forgotten: FORGOTTEN },
      );
    }
    const erased: Record<string, number> = {
      auditLines,
      transcriptText: run(
        `DELETE FROM transcript_text WHERE rowid IN (SELECT rowid FROM transcripts WHERE chat_id ${IN})`,
        c,
      ),
      transcriptFiles: run(`DELETE FROM transcript_files WHERE chat_id ${IN}`, c),
      transcriptHelpers: run(`DELETE FROM transcript_helpers WHERE chat_id ${IN}`, c),
      transcripts: run(`DELETE FROM transcripts WHERE chat_id ${IN}`, c),
      ratings: run(`DELETE FROM chat_ratings WHERE chat_id ${IN}`, c),
      tags: run(`DELETE FROM chat_tags WHERE chat_id ${IN}`, c),
      labels: run(`DELETE FROM chat_labels WHERE chat_id ${IN}`, c),
      closedChats: run(`DELETE FROM closed_chats WHERE chat_id ${IN}`, c),
      roomAlerts: run(
        `DELETE FROM room_messages WHERE kind = 'alert' AND (${mentions("coalesce(link, '')")} OR ${mentions('text')})`,
        JSON.stringify([...JSON.parse(tickets), ...chats]),
        JSON.stringify([...JSON.parse(tickets), ...chats]),
      ),
      ticketAlerts: run(`DELETE FROM ticket_alerts WHERE ticket_id ${IN}`, tickets),
      followUpLinks: run(`DELETE FROM follow_up_links WHERE ticket_id ${IN}`, tickets),
      ticketMessages: run(`DELETE FROM ticket_messages WHERE ticket_id ${IN}`, tickets),
      tickets: run(`DELETE FROM tickets WHERE id ${IN}`, tickets),
      leftMessages: run(`DELETE FROM left_messages WHERE id ${IN}`, leftMessages),
      emails: run(
        `DELETE FROM mail_outbox WHERE chat_id ${IN} OR ${mentions('lower(recipient)')}`,
        c,
        e,
      ),
      blocks: run(`DELETE FROM blocks WHERE visitor_id ${IN}`, i),
    };
    // FTS5 keeps a deleted row's words in its index segments until they are merged:
    // merge them now, so the words are gone from the file too.
    if (erased['transcriptText']! > 0) {
      db.prepare("INSERT INTO transcript_text (transcript_text) VALUES ('optimize')").run();
    }
    erased['visitors'] = ids.size;
    return { ok: true, erased, found: { outboxIds, needles } };
  })();
}
