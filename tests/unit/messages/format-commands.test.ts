import { describe, expect, it } from 'vitest';
import { applyFormat, shortcutCommand } from '../../../app/lib/messages/format-commands.ts';

describe('F12 reply box formatting commands', () => {
  it('wraps the selection in bold, italic or code marks and keeps it selected', () => {
    const draft = { text: 'open the Library now', start: 9, end: 16 };
    expect(applyFormat('bold', draft)).toEqual({
      text: 'open the **Library** now',
      start: 11,
      end: 18,
    });
    expect(applyFormat('italic', draft)).toEqual({
      text: 'open the _Library_ now',
      start: 10,
      end: 17,
    });
    expect(applyFormat('code', draft)).toEqual({
      text: 'open the `Library` now',
      start: 10,
      end: 17,
    });
  });

  it('inserts a selected placeholder when nothing is selected', () => {
    expect(applyFormat('bold', { text: 'a ', start: 2, end: 2 })).toEqual({
      text: 'a **bold text**',
      start: 4,
      end: 13,
    });
  });

  it('makes a link of the selection with the cursor where the address goes', () => {
    const next = applyFormat('link', { text: 'see the guide', start: 8, end: 13 });
    expect(next.text).toBe('see the [guide](https://)');
    expect(next.start).toBe(next.text.length - 1);
  });

  it('turns the selected lines into a list, once', () => {
    const text = 'Steps:\nopen menu\n- click Library';
    const next = applyFormat('list', { text, start: 8, end: text.length });
    expect(next.text).toBe('Steps:\n- open menu\n- click Library');
  });

  it('maps Ctrl/Cmd+B, I and E, and nothing else', () => {
    const key = (k: string, extra = {}) => ({
      key: k,
      ctrlKey: true,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      ...extra,
    });
    expect(shortcutCommand(key('b'))).toBe('bold');
    expect(shortcutCommand(key('I'))).toBe('italic');
    expect(shortcutCommand(key('e'))).toBe('code');
    expect(shortcutCommand(key('b', { ctrlKey: false }))).toBeNull();
    expect(shortcutCommand(key('b', { shiftKey: true }))).toBeNull();
    expect(shortcutCommand(key('x'))).toBeNull();
  });
});
