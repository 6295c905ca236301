import { describe, expect, it } from 'vitest';
import { SHORTCUTS, neighbour, shortcutFor } from '../../../app/lib/console/workspace-keys.ts';

const key = (over: Partial<KeyboardEvent>) => ({
  key: '',
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...over,
});

describe('workspace shortcuts (issue 11)', () => {
  it('Alt+arrows move between chats, Alt+R/A/I focus the reply, accept, toggle the visitor pane', () => {
    expect(shortcutFor(key({ altKey: true, code: 'ArrowDown' }), true)).toBe('next-chat');
    expect(shortcutFor(key({ altKey: true, code: 'ArrowUp' }), false)).toBe('previous-chat');
    // Matched on the physical key: macOS types ® for Alt+R.
    expect(shortcutFor(key({ altKey: true, code: 'KeyR', key: '®' }), true)).toBe('focus-reply');
    expect(shortcutFor(key({ altKey: true, code: 'KeyA' }), true)).toBe('accept-offer');
    expect(shortcutFor(key({ altKey: true, code: 'KeyI' }), false)).toBe('toggle-visitor');
  });

  it('? opens the help, but is a character while typing', () => {
    expect(shortcutFor(key({ key: '?' }), false)).toBe('help');
    expect(shortcutFor(key({ key: '?' }), true)).toBeNull();
  });

  it('ignores plain keys and Ctrl or Meta combinations', () => {
    expect(shortcutFor(key({ key: 'a', code: 'KeyA' }), false)).toBeNull();
    expect(shortcutFor(key({ altKey: true, ctrlKey: true, code: 'KeyA' }), false)).toBeNull();
    expect(shortcutFor(key({ altKey: true, metaKey: true, code: 'ArrowDown' }), false)).toBeNull();
  });

  it('the help lists every action the handler knows', () => {
    const actions = new Set(SHORTCUTS.map((s) => s.action));
    expect(actions).toEqual(
      new Set([
        'next-chat',
        'previous-chat',
        'focus-reply',
        'accept-offer',
        'toggle-visitor',
        'help',
      ]),
    );
  });

  it('next and previous wrap around; with nothing selected they start at an end', () => {
    const ids = ['a', 'b', 'c'];
    expect(neighbour(ids, 'a', 1)).toBe('b');
    expect(neighbour(ids, 'c', 1)).toBe('a');
    expect(neighbour(ids, 'a', -1)).toBe('c');
    expect(neighbour(ids, null, 1)).toBe('a');
    expect(neighbour(ids, 'gone', -1)).toBe('c');
    expect(neighbour([], 'a', 1)).toBeNull();
  });
});
