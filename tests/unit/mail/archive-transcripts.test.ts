/** The transcript email's lines from an archived chat (signal/mail/archive-transcripts.ts). */
import { describe, expect, it } from 'vitest';
import type { ArchivedMessage } from '../../../protocol/index.ts';
import { toTranscriptLines } from '../../../signal/mail/archive-transcripts.ts';

const visitor = { id: 'v1', role: 'visitor' as const, name: 'Vera' };

function file(name: string): ArchivedMessage {
  return {
    id: 'm1',
    seq: 1,
    kind: 'attachment',
    body: '',
    at: 1,
    author: visitor,
    attachment: { name, mime: 'application/pdf', bytes: 10, sha256: 'a'.repeat(64) },
  };
}

describe('toTranscriptLines', () => {
  it('CH-X10 names a file as the chat showed it: a bidi override cannot turn "exe" into "pdf"', () => {
    const [line] = toTranscriptLines([file('invoice\u202Efdp.exe')]);
    expect(line!.body).toBe('invoice_fdp.exe');
    const [path] = toTranscriptLines([file('../../etc/passwd')]);
    expect(path!.body).toBe('_.._etc_passwd');
  });

  it('keeps a plain name, and a message body, as they are', () => {
    expect(toTranscriptLines([file('report 2026.pdf')])[0]!.body).toBe('report 2026.pdf');
    const text: ArchivedMessage = {
      ...file('x'),
      kind: 'text',
      body: '**hi** <b>',
      attachment: undefined,
    };
    expect(toTranscriptLines([text])[0]).toMatchObject({ role: 'visitor', body: '**hi** <b>' });
  });
});
