/** Where a reader was in a log, kept while the console shows another chat (benchmark S8). */
import { describe, expect, it } from 'vitest';
import { freshLogPlace, resumeLog } from '../../../app/lib/ui/log-place.ts';

describe('log place', () => {
  it('a fresh log, and one left at the bottom, resume at the bottom', () => {
    expect(resumeLog(freshLogPlace(), 40)).toEqual({ scroll: 'bottom', unseen: false });
    const place = { ...freshLogPlace(), seenCount: 40, scrollTop: 300 };
    expect(resumeLog(place, 55)).toEqual({ scroll: 'bottom', unseen: false });
  });

  it('a log left scrolled up resumes at its offset, with "New messages" if some arrived', () => {
    const place = { stick: false, seenCount: 40, unseen: false, pinned: 0, scrollTop: 320 };
    expect(resumeLog(place, 40)).toEqual({ scroll: 320, unseen: false });
    expect(resumeLog(place, 41)).toEqual({ scroll: 320, unseen: true });
    expect(resumeLog({ ...place, unseen: true }, 40)).toEqual({ scroll: 320, unseen: true });
  });
});
