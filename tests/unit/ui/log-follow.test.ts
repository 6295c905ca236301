import { describe, expect, it } from 'vitest';
import {
  BOTTOM_SLACK_PX,
  followAfterGrowth,
  isNearBottom,
  stickAfterScroll,
} from '../../../app/lib/ui/log-follow.ts';

describe('a conversation log follows new entries only from the bottom (issue 11)', () => {
  it('counts the last few pixels as the bottom', () => {
    expect(isNearBottom({ scrollHeight: 1000, clientHeight: 400, scrollTop: 600 })).toBe(true);
    expect(
      isNearBottom({ scrollHeight: 1000, clientHeight: 400, scrollTop: 600 - BOTTOM_SLACK_PX }),
    ).toBe(true);
    expect(
      isNearBottom({ scrollHeight: 1000, clientHeight: 400, scrollTop: 599 - BOTTOM_SLACK_PX }),
    ).toBe(false);
  });

  it('keeps the place of a reader who scrolled up, unless they sent the new entry', () => {
    expect(followAfterGrowth(true, false)).toBe(true);
    expect(followAfterGrowth(false, false)).toBe(false);
    expect(followAfterGrowth(false, true)).toBe(true);
  });

  it('a scroll the resize of the log caused keeps the reader at the bottom (a narrower window)', () => {
    // Rewrapped at a narrower width, the bottom moved 300 px below the clamped offset.
    const rewrapped = { scrollHeight: 1600, clientHeight: 300, scrollTop: 1000 };
    expect(stickAfterScroll(true, rewrapped, true)).toBe(true);
    expect(stickAfterScroll(false, rewrapped, true)).toBe(false);
    // The same offset reached by the reader's own scrolling is away from the bottom.
    expect(stickAfterScroll(true, rewrapped, false)).toBe(false);
    expect(stickAfterScroll(false, { ...rewrapped, scrollTop: 1300 }, false)).toBe(true);
  });
});
