/**
 * The frame every Peerdesk email shares: a minimal HTML document with inline styles
 * (mail clients drop <style> blocks and never load outside resources), and the same
 * text for the plain-text part. Everything a person wrote is escaped here or comes
 * from message-html.ts, which renders the one message tree the browser renders.
 *
 * Exports: `emailHtml(title, inner)`, `lineHtml(line)`, `lineText(line)`,
 * `entryHtml(author, at, body)`, `entryText(author, at, body)`, `formatWhen(at)`,
 * `escapeText`.
 */
import { escapeAttribute, escapeText, messageHtml } from '../../app/lib/messages/message-html.ts';
import type { TranscriptLine } from './transcript-source.ts';

export { escapeText };

/** UTC, spelled out: the email cannot know the reader's time zone. */
export function formatWhen(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function emailHtml(title: string, inner: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeText(title)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:40rem;margin:0 auto;padding:1rem">',
    inner,
    '</body></html>',
  ].join('\n');
}

export function paragraphHtml(text: string): string {
  return `<p>${escapeText(text)}</p>`;
}

export function linkHtml(href: string, label: string): string {
  return `<p><a href="${escapeAttribute(href)}" style="color:#0b57d0">${escapeText(label)}</a></p>`;
}

/** One entry (a chat message, a reply, an answer): who, when, and the formatted body. */
export function entryHtml(author: string, at: number, body: string): string {
  return [
    '<div style="margin:0 0 0.75rem;padding:0.5rem 0.75rem;border-left:3px solid #c4c7c5">',
    `<div style="font-size:0.85rem;color:#444"><strong>${escapeText(author)}</strong> · ${escapeText(formatWhen(at))}</div>`,
    messageHtml(body),
    '</div>',
  ].join('');
}

export function entryText(author: string, at: number, body: string): string {
  const indented = body
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  return `${author}, ${formatWhen(at)}:\n${indented}`;
}

function lineAuthor(line: TranscriptLine): string {
  return line.role === 'helper' ? `${line.author} (helper)` : line.author;
}

export function lineHtml(line: TranscriptLine): string {
  if (line.kind === 'text') return entryHtml(lineAuthor(line), line.at, line.body);
  const note =
    line.kind === 'page'
      ? `${line.author} viewed ${line.body}`
      : line.kind === 'attachment'
        ? `${line.author} sent a file: ${line.body}`
        : line.body;
  return `<p style="font-size:0.85rem;color:#444">${escapeText(`${formatWhen(line.at)} · ${note}`)}</p>`;
}

export function lineText(line: TranscriptLine): string {
  if (line.kind === 'text') return entryText(lineAuthor(line), line.at, line.body);
  if (line.kind === 'page') return `(${formatWhen(line.at)}: ${line.author} viewed ${line.body})`;
  if (line.kind === 'attachment')
    return `(${formatWhen(line.at)}: ${line.author} sent a file: ${line.body})`;
  return `(${formatWhen(line.at)}: ${line.body})`;
}
