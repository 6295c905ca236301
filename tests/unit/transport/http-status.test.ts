import { describe, expect, it } from 'vitest';
import { closeReason, statusLine } from '../../../signal/transport/http-status.ts';

describe('http-status', () => {
  it('writes status lines with their reason phrase', () => {
    expect(statusLine(403)).toBe('403 Forbidden');
    expect(statusLine(599)).toBe('599 Unknown');
  });

  it('cuts close reasons to 123 bytes of UTF-8 on a character boundary', () => {
    expect(closeReason('flood')).toBe('flood');
    const long = 'é'.repeat(100);
    const cut = closeReason(long);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut).toBe('é'.repeat(61));
  });
});
