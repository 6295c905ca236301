import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { MessageEntry } from '../../../protocol/index.ts';
import { previewable, sniffImageType } from '../../../app/lib/files/file-checks.ts';
import { safeFileName } from '../../../protocol/chat-doc/file-names.ts';
import { XSS_FULL_CORPUS } from '../../fixtures/xss-corpus.ts';
import { noisePng } from '../../fixtures/sample-files.ts';

describe('F13 file checks', () => {
  it('CH-X9: previews only raster images whose bytes match their claimed type', () => {
    const png = new Uint8Array(noisePng(100));
    expect(sniffImageType(png)).toBe('image/png');
    expect(previewable('image/png', png)).toBe(true);
    expect(previewable('image/jpeg', png)).toBe(false);
    const html = new TextEncoder().encode('<html><script>alert(1)</script>');
    expect(previewable('image/png', html)).toBe(false);
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    );
    expect(sniffImageType(svg)).toBeNull();
    expect(previewable('image/svg+xml', svg)).toBe(false);
    expect(sniffImageType(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffImageType(new TextEncoder().encode('GIF89a...'))).toBe('image/gif');
  });

  it('CH-X10: file names lose paths, controls, bidi overrides and leading dots', () => {
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('a\u0000b\nc.txt')).toBe('a_b_c.txt');
    expect(safeFileName('  ')).toBe('file');
    const long = safeFileName('x'.repeat(500) + '.pdf');
    expect(long).toHaveLength(120);
    expect(long.endsWith('.pdf')).toBe(true);
    for (const name of XSS_FULL_CORPUS) {
      // eslint-disable-next-line no-control-regex -- control characters are what it checks for
      expect(safeFileName(name)).not.toMatch(/[/\\<>"\u0000-\u001f\u202a-\u202e\u2066-\u2069]|^\./);
    }
  });

  it('CH-X1 CH-X3: an attachment message carries its attachment, and only it does', () => {
    const attachment = { name: 'a.png', mime: 'image/png', bytes: 10, sha256: 'a'.repeat(64) };
    const base = { body: 'a.png', at: 1, seq: 1 };
    expect(v.is(MessageEntry, { ...base, kind: 'attachment', attachment })).toBe(true);
    expect(v.is(MessageEntry, { ...base, kind: 'attachment' })).toBe(false);
    expect(v.is(MessageEntry, { ...base, kind: 'text', attachment })).toBe(false);
    expect(
      v.is(MessageEntry, {
        ...base,
        kind: 'attachment',
        attachment: { ...attachment, sha256: 'xyz' },
      }),
    ).toBe(false);
    expect(
      v.is(MessageEntry, { ...base, kind: 'attachment', attachment: { ...attachment, bytes: 0 } }),
    ).toBe(false);
  });
});
