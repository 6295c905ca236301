/** Which entries a long log renders (app/lib/ui/log-window.ts, issue 11, bench S8). */
import { describe, expect, it } from 'vitest';
import {
  LOG_FIRST,
  LOG_PAGE,
  firstShown,
  nearTopOfWindow,
  pinAfterScroll,
  pinEarlier,
  upAtTop,
} from '../../../app/lib/ui/log-window.ts';
import { FIT_MIN, FIT_SPARE, fitCount } from '../../../app/lib/ui/log-fit.ts';

describe('log window', () => {
  it('renders everything of a short log and the newest page of a long one', () => {
    expect(firstShown(12, null)).toBe(0);
    expect(firstShown(LOG_PAGE, null)).toBe(0);
    expect(firstShown(2000, null)).toBe(2000 - LOG_PAGE);
  });

  it('follows new entries at the bottom: the window slides', () => {
    expect(firstShown(2001, pinAfterScroll(true, true, 2001, null))).toBe(2001 - LOG_PAGE);
  });

  it('keeps what is shown once the reader scrolls up, while entries arrive below', () => {
    const pinned = pinAfterScroll(true, false, 2000, null);
    expect(pinned).toBe(2000 - LOG_PAGE);
    expect(firstShown(2050, pinned)).toBe(2000 - LOG_PAGE);
    // Scrolling further up keeps the same pin.
    expect(pinAfterScroll(false, false, 2050, pinned)).toBe(pinned);
  });

  it('adds a page of earlier entries at a time, down to the first', () => {
    let pinned = pinEarlier(2000, null);
    expect(firstShown(2000, pinned)).toBe(2000 - 2 * LOG_PAGE);
    pinned = pinEarlier(2000, pinned);
    expect(firstShown(2000, pinned)).toBe(2000 - 3 * LOG_PAGE);
    expect(firstShown(150, pinEarlier(150, null))).toBe(0);
    expect(pinEarlier(150, 0)).toBe(0);
  });

  it('returns to the newest page when the reader is back at the bottom', () => {
    expect(pinAfterScroll(false, true, 2000, 1500)).toBeNull();
    expect(firstShown(2000, null)).toBe(2000 - LOG_PAGE);
  });

  it('"Show earlier messages" pressed at the bottom stays: a scroll there does not trim', () => {
    // The reader at the bottom presses the button: the log pins a page further up, and
    // the scroll its growth causes finds the reader still at the bottom.
    const pinned = pinEarlier(2000, null);
    expect(pinAfterScroll(true, true, 2000, pinned)).toBe(pinned);
    expect(firstShown(2000, pinAfterScroll(true, true, 2000, pinned))).toBe(2000 - 2 * LOG_PAGE);
  });

  it('adds `step` entries at a time when asked for fewer than a page', () => {
    expect(pinEarlier(2000, null, 20, 20)).toBe(2000 - 40);
    expect(pinEarlier(2000, 1500, 20, 20)).toBe(1480);
    expect(pinEarlier(30, null, 20, 20)).toBe(0);
  });

  it('never starts past the end of a log that shrank', () => {
    expect(firstShown(10, 500)).toBe(10);
  });
});

describe('log window, scrolled up', () => {
  it('near the top of a window with earlier entries, more are added; not at the start', () => {
    expect(nearTopOfWindow({ scrollTop: 100, clientHeight: 600 }, 1900)).toBe(true);
    expect(nearTopOfWindow({ scrollTop: 400, clientHeight: 600 }, 1900)).toBe(false);
    expect(nearTopOfWindow({ scrollTop: 0, clientHeight: 600 }, 0)).toBe(false);
    // A hidden log (no height) never loads.
    expect(nearTopOfWindow({ scrollTop: 0, clientHeight: 0 }, 1900)).toBe(false);
  });
});

describe('log window, first frame', () => {
  it('a log appearing at its bottom renders LOG_FIRST entries, then the whole page', () => {
    expect(LOG_FIRST).toBeLessThan(LOG_PAGE);
    expect(firstShown(2000, null, LOG_FIRST)).toBe(2000 - LOG_FIRST);
    expect(firstShown(20, null, LOG_FIRST)).toBe(0);
    // Scrolled up meanwhile: what is shown stays; earlier ones come a page at a time.
    expect(pinAfterScroll(true, false, 2000, null, LOG_FIRST)).toBe(2000 - LOG_FIRST);
    expect(pinEarlier(2000, null, LOG_FIRST)).toBe(2000 - LOG_FIRST - LOG_PAGE);
    // A pinned window is the same whatever the page.
    expect(firstShown(2000, 1500, LOG_FIRST)).toBe(1500);
  });
});

describe('log window, up at the top', () => {
  it('a wheel turned up or an upward key at offset 0 asks for earlier entries', () => {
    expect(upAtTop({ scrollTop: 0 }, 1900, { deltaY: -40 })).toBe(true);
    expect(upAtTop({ scrollTop: 0 }, 1900, { key: 'PageUp' })).toBe(true);
    expect(upAtTop({ scrollTop: 0 }, 1900, { key: 'ArrowUp' })).toBe(true);
    expect(upAtTop({ scrollTop: 0 }, 1900, { key: 'Home' })).toBe(true);
  });

  it('not going up, not at the top, or nothing earlier: nothing', () => {
    expect(upAtTop({ scrollTop: 0 }, 1900, { deltaY: 40 })).toBe(false);
    expect(upAtTop({ scrollTop: 0 }, 1900, { key: 'ArrowDown' })).toBe(false);
    expect(upAtTop({ scrollTop: 3 }, 1900, { deltaY: -40 })).toBe(false);
    expect(upAtTop({ scrollTop: 0 }, 0, { deltaY: -40 })).toBe(false);
  });
});

describe('log fit: what a console log renders at its bottom (benchmark S8)', () => {
  it('a screenful of entries of the measured height, and FIT_SPARE more', () => {
    expect(fitCount({ height: 480, entryPx: 60 })).toBe(8 + FIT_SPARE);
    expect(fitCount({ height: 700, entryPx: 70 })).toBe(10 + FIT_SPARE);
    expect(fitCount({ height: 710, entryPx: 70 })).toBe(11 + FIT_SPARE);
  });

  it('LOG_FIRST before anything was measured; never fewer than FIT_MIN nor more than LOG_PAGE', () => {
    expect(fitCount(null)).toBe(LOG_FIRST);
    expect(fitCount({ height: 0, entryPx: 60 })).toBe(LOG_FIRST);
    expect(fitCount({ height: 100, entryPx: 400 })).toBe(FIT_MIN);
    expect(fitCount({ height: 5000, entryPx: 10 })).toBe(LOG_PAGE);
  });
});
