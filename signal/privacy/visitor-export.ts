/**
 * F32 "download my data" (SPEC.md SP-PV8–SP-PV10): everything the service stores about one
 * visitor, found by their visitor id, as `VisitorDataExport` (protocol/
 * visitor-data-export.ts). The follow-up route gives it to whoever holds a follow-up
 * link of that visitor's; the visitor id comes from the link's ticket, never from the
 * request.
 *
 * Only the visitor id finds records. An email would find more of the same person's
 * visits, but an email typed in the widget is not proven: a follow-up link handed out
 * in the widget to someone who typed another person's address must not open that
 * person's data. Staff notes (CHAT.md CH-N1–CH-N8) are never stored by the service, so there
 * is nothing of them to leave out; the chat's participants' ids and the audit log are
 * staff records and not included. Email bytes are left out: they carry follow-up
 * secrets, and their words are the transcripts and messages given here.
 *
 * Exports: `exportVisitorData(db, visitorId, transcripts, now)`.
 */
import type { Database } from 'better-sqlite3';
import type { VisitorDataExport } from '../../protocol/index.ts';
import type { TranscriptSource } from '../mail/transcript-source.ts';
import { readableExport } from './visitor-export-text.ts';

type Row = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

function parsed(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') return {};
  try {
    const out: unknown = JSON.parse(value);
    return typeof out === 'object' && out !== null ? (out as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

export const NOT_INCLUDED = [
  'Staff notes: Peerdesk does not store them (they stay in the staff consoles of the chat).',
  'The audit log and which staff accounts took part: they are records of the staff, not of you.',
  'The bytes of the emails sent to you: you have them, and they carry private follow-up links; what they said is in the chats and tickets here.',
];

export function exportVisitorData(
  db: Database,
  visitorId: string,
  transcripts: TranscriptSource,
  now: number,
): VisitorDataExport {
  return db.transaction((): VisitorDataExport => {
    const all = (sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as Row[];
    const IN = 'IN (SELECT value FROM json_each(?))';

    const closed = all(
      'SELECT * FROM closed_chats WHERE visitor_id = ? ORDER BY ended_at',
      visitorId,
    );
    const archived = all('SELECT * FROM transcripts WHERE visitor_id = ?', visitorId);
    const chatIds = [
      ...new Set([
        ...closed.map((r) => str(r['chat_id'])),
        ...archived.map((r) => str(r['chat_id'])),
      ]),
    ];
    const byChat = new Map(archived.map((r) => [str(r['chat_id']), r]));
    const chats = chatIds.map((chatId) => {
      const row = closed.find((r) => r['chat_id'] === chatId);
      const record = parsed(row?.['record']);
      const identity = objectOf(record['visitor']);
      const archive = byChat.get(chatId);
      const rating = db
        .prepare('SELECT stars, comment, rated_at FROM chat_ratings WHERE chat_id = ?')
        .get(chatId) as Row | undefined;
      const label = db
        .prepare('SELECT label FROM chat_labels WHERE chat_id = ?')
        .pluck()
        .get(chatId);
      const files =
        archive === undefined ? [] : (JSON.parse(str(archive['files']) || '[]') as Row[]);
      return {
        chatId,
        outcome: (str(row?.['outcome']) ||
          'ended') as VisitorDataExport['chats'][number]['outcome'],
        department: str(row?.['department'] ?? archive?.['department']),
        askedAt: num(row?.['enqueued_at'] ?? archive?.['started_at'] ?? archive?.['ended_at']),
        startedAt: numOrNull(row?.['started_at'] ?? archive?.['started_at']),
        endedAt: num(row?.['ended_at'] ?? archive?.['ended_at']),
        details: objectOf(record['details']),
        ip: strOrNull(record['ip']) || null,
        firstVisitAt: numOrNull(identity['firstVisitAt']),
        firstLandingPage: strOrNull(identity['firstLandingPage']),
        tags: db
          .prepare('SELECT tag FROM chat_tags WHERE chat_id = ? ORDER BY tag')
          .pluck()
          .all(chatId) as string[],
        label: typeof label === 'string' && label !== '' ? label : null,
        rating:
          rating === undefined
            ? null
            : {
                stars: num(rating['stars']),
                comment: strOrNull(rating['comment']),
                ratedAt: num(rating['rated_at']),
              },
        transcript:
          archive === undefined
            ? null
            : {
                status: (str(archive['status']) === 'archived' ? 'archived' : 'not_archived') as
                  'archived' | 'not_archived',
                helpers: (JSON.parse(str(archive['helpers']) || '[]') as Row[]).map((h) =>
                  str(h['name']),
                ),
                lines: transcripts.read(chatId)?.lines ?? [],
                files: files.map((file) => {
                  const bytes = db
                    .prepare('SELECT bytes FROM transcript_files WHERE chat_id = ? AND sha256 = ?')
                    .pluck()
                    .get(chatId, str(file['sha256']));
                  return {
                    name: str(file['name']),
                    mime: str(file['mime']),
                    bytes: num(file['bytes']),
                    sha256: str(file['sha256']),
                    base64: Buffer.isBuffer(bytes) ? bytes.toString('base64') : null,
                  };
                }),
              },
      };
    });

    const ticketRows = all(
      'SELECT * FROM tickets WHERE visitor_id = ? ORDER BY created_at, id',
      visitorId,
    );
    const tickets = ticketRows.map((t) => ({
      id: str(t['id']),
      source: (str(t['source']) === 'chat' ? 'chat' : 'left_message') as 'chat' | 'left_message',
      chatId: strOrNull(t['chat_id']),
      visitorName: str(t['visitor_name']),
      email: strOrNull(t['email']),
      department: str(t['department']),
      subject: str(t['subject']),
      status: str(t['status']) as 'open' | 'answered' | 'closed',
      createdAt: num(t['created_at']),
      updatedAt: num(t['updated_at']),
      messages: all(
        'SELECT id, author_role, author_name, body, at FROM ticket_messages WHERE ticket_id = ? ORDER BY id',
        t['id'],
      ).map((m) => ({
        id: num(m['id']),
        role: (str(m['author_role']) === 'visitor' ? 'visitor' : 'helper') as 'visitor' | 'helper',
        author: str(m['author_name']),
        body: str(m['body']),
        at: num(m['at']),
      })),
    }));

    const leftMessages = all(
      'SELECT * FROM left_messages WHERE visitor_id = ? ORDER BY created_at',
      visitorId,
    ).map((m) => ({
      id: str(m['id']),
      name: str(m['name']),
      email: strOrNull(m['email']),
      department: str(m['department']),
      message: str(m['message']),
      ip: strOrNull(m['ip']) || null,
      createdAt: num(m['created_at']),
    }));

    const blocks = all(
      'SELECT reason, created_at, until, lifted_at, ip FROM blocks WHERE visitor_id = ? ORDER BY created_at',
      visitorId,
    ).map((b) => ({
      reason: str(b['reason']),
      createdAt: num(b['created_at']),
      until: num(b['until']),
      liftedAt: numOrNull(b['lifted_at']),
      ip: strOrNull(b['ip']),
    }));

    // The emails about their chats and tickets (dedupe keys: signal/tickets/ticket-mail.ts).
    const keys = [
      ...tickets.map((t) => `received:${t.id}`),
      ...tickets.flatMap((t) => t.messages.map((m) => `answer:${m.id}`)),
    ];
    const emails = all(
      `SELECT kind, recipient, state, created_at, sent_at FROM mail_outbox
       WHERE chat_id ${IN} OR dedupe_key ${IN} ORDER BY created_at, id`,
      JSON.stringify(chatIds),
      JSON.stringify(keys),
    ).map((e) => ({
      kind: str(e['kind']),
      to: str(e['recipient']),
      state: str(e['state']),
      createdAt: num(e['created_at']),
      sentAt: numOrNull(e['sent_at']),
    }));

    const data: Omit<VisitorDataExport, 'readable'> = {
      format: 'peerdesk-visitor-data/1',
      exportedAt: now,
      visitorId,
      notIncluded: NOT_INCLUDED,
      chats,
      tickets,
      leftMessages,
      blocks,
      emails,
    };
    return { ...data, readable: readableExport(data) };
  })();
}
