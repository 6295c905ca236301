/**
 * The readable part of "download my data" (SPEC.md SP-PV9): the same content as the
 * export's JSON fields, as plain lines a person can read without a JSON viewer. Times
 * are ISO 8601 in UTC, so the file reads the same wherever it is opened.
 *
 * Exports: `readableExport(data)`.
 */
import type { VisitorDataExport } from '../../protocol/index.ts';

const when = (at: number | null): string => (at === null ? '—' : new Date(at).toISOString());

function detailLines(details: Record<string, unknown>): string[] {
  return Object.entries(details).map(([key, value]) => {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    return `  ${key}: ${shown}`;
  });
}

export function readableExport(data: Omit<VisitorDataExport, 'readable'>): string[] {
  const out: string[] = [
    'What Peerdesk stores about you',
    `Exported ${when(data.exportedAt)} for visitor ${data.visitorId}.`,
    '',
    `Chats: ${data.chats.length}`,
  ];
  for (const chat of data.chats) {
    out.push('', `Chat ${chat.chatId} (${chat.outcome}), department ${chat.department}`);
    out.push(
      `  asked ${when(chat.askedAt)}, started ${when(chat.startedAt)}, ended ${when(chat.endedAt)}`,
    );
    out.push(...detailLines(chat.details));
    if (chat.ip !== null) out.push(`  IP address: ${chat.ip}`);
    if (chat.firstVisitAt !== null) out.push(`  first visit: ${when(chat.firstVisitAt)}`);
    if (chat.tags.length > 0) out.push(`  tags: ${chat.tags.join(', ')}`);
    if (chat.label !== null) out.push(`  label: ${chat.label}`);
    if (chat.rating !== null) {
      const comment = chat.rating.comment === null ? '' : `: ${chat.rating.comment}`;
      out.push(`  your rating: ${chat.rating.stars} of 5${comment} (${when(chat.rating.ratedAt)})`);
    }
    const transcript = chat.transcript;
    if (transcript === null) continue;
    if (transcript.status !== 'archived') {
      out.push('  transcript: not archived (no helper uploaded it)');
      continue;
    }
    out.push(`  helpers: ${transcript.helpers.join(', ')}`, '  transcript:');
    for (const line of transcript.lines) {
      out.push(`    [${when(line.at)}] ${line.author}: ${line.body}`);
    }
    for (const file of transcript.files) {
      const kept = file.base64 === null ? 'not kept' : 'kept, in the JSON as base64';
      out.push(`  file: ${file.name} (${file.mime}, ${file.bytes} bytes, ${kept})`);
    }
  }
  out.push('', `Tickets and follow-ups: ${data.tickets.length}`);
  for (const ticket of data.tickets) {
    out.push(
      '',
      `Ticket "${ticket.subject}" (${ticket.status}), started ${when(ticket.createdAt)}`,
    );
    out.push(`  name: ${ticket.visitorName}, email: ${ticket.email ?? '—'}`);
    for (const message of ticket.messages) {
      out.push(`    [${when(message.at)}] ${message.author} (${message.role}): ${message.body}`);
    }
  }
  out.push('', `Messages left: ${data.leftMessages.length}`);
  for (const left of data.leftMessages) {
    out.push(`  [${when(left.createdAt)}] ${left.name} <${left.email ?? '—'}>: ${left.message}`);
    if (left.ip !== null) out.push(`    IP address: ${left.ip}`);
  }
  out.push('', `Blocks: ${data.blocks.length}`);
  for (const block of data.blocks) {
    const lifted = block.liftedAt === null ? '' : `, lifted ${when(block.liftedAt)}`;
    out.push(`  ${when(block.createdAt)} until ${when(block.until)}${lifted}: ${block.reason}`);
  }
  out.push('', `Emails sent to you: ${data.emails.length}`);
  for (const email of data.emails) {
    out.push(
      `  ${email.kind} to ${email.to}, ${email.state}, ${when(email.sentAt ?? email.createdAt)}`,
    );
  }
  out.push('', 'Not included:', ...data.notIncluded.map((line) => `  ${line}`));
  return out;
}
