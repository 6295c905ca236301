import { describe, expect, it } from 'vitest';
import {
  BOTTOM_SLACK_PX,
  followAfterGrowth,
  isNearBottom,
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
});
