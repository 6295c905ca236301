/** The reply box's slash commands (F16, F17, F14): parsing, suggestions as typed,
 * the suggestion list's keys and what /tag suggests. Pure: no console, no DOM. */
import { describe, expect, it } from 'vitest';
import {
  CONSOLE_COMMANDS,
  looksLikeCommand,
  parseReply,
  replySuggestions,
} from '../../../app/lib/console/slash-commands.ts';
import { suggestionKey } from '../../../app/lib/console/suggestion-keys.ts';
import { tagSuggestions } from '../../../app/lib/console/tag-suggestions.ts';

const key = (k: string, shiftKey = false) => ({
  key: k,
  shiftKey,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  isComposing: false,
});

describe('parseReply', () => {
  it('tells messages, commands and mistakes apart', () => {
    const p = (text: string) => parseReply(text, CONSOLE_COMMANDS);
    expect(p('Hello there')).toEqual({ kind: 'message', text: 'Hello there' });
    expect(p('/tag crash')).toEqual({ kind: 'command', name: 'tag', argument: 'crash' });
    expect(p('  /TAG   crash  ')).toEqual({ kind: 'command', name: 'tag', argument: 'crash' });
    expect(p('/label printer on fire')).toEqual({
      kind: 'command',
      name: 'label',
      argument: 'printer on fire',
    });
    expect(p('/label')).toEqual({ kind: 'command', name: 'label', argument: '' });
    expect(p('/invite bob')).toEqual({ kind: 'command', name: 'invite', argument: 'bob' });
    expect(p('/tag')).toEqual({ kind: 'error', error: 'Type /tag followed by a name.' });
    expect(p('/tga crash')).toMatchObject({ kind: 'error' });
    expect(p('/tga crash').kind === 'error' && p('/tga crash')).toMatchObject({
      error: expect.stringMatching(
        /^\/tga is not a command\. Commands: \/tag, \/label, \/invite\./,
      ),
    });
    expect(p('/')).toMatchObject({ kind: 'error', error: expect.stringContaining('That is not') });
    expect(p('//etc/hosts is the file')).toEqual({
      kind: 'message',
      text: '/etc/hosts is the file',
    });
  });

  it('F10 a command is never shown as the typing preview', () => {
    expect(looksLikeCommand('/ta')).toBe(true);
    expect(looksLikeCommand('  /tag x')).toBe(true);
    expect(looksLikeCommand('//path')).toBe(false);
    expect(looksLikeCommand('hello /tag')).toBe(false);
  });
});

describe('replySuggestions', () => {
  const tags = (command: string, typed: string) =>
    command === 'tag' ? tagSuggestions(typed, ['solved'], ['printer-jam', 'qa']) : [];

  it('offers commands after a slash, then the command’s own suggestions', () => {
    expect(replySuggestions('hello', CONSOLE_COMMANDS, tags)).toEqual([]);
    expect(replySuggestions('/', CONSOLE_COMMANDS, tags).map((s) => s.text)).toEqual([
      '/tag ',
      '/label ',
      '/invite ',
    ]);
    expect(replySuggestions('/ta', CONSOLE_COMMANDS, tags)).toEqual([
      expect.objectContaining({ label: '/tag name', text: '/tag ', complete: false }),
    ]);
    expect(replySuggestions('/nope x', CONSOLE_COMMANDS, tags)).toEqual([]);
    expect(replySuggestions('/label x', CONSOLE_COMMANDS, tags)).toEqual([]);
    expect(replySuggestions('/tag pr', CONSOLE_COMMANDS, tags).map((s) => s.label)).toEqual([
      'print',
      'printer-jam',
      'pr',
    ]);
  });

  it('F17 SP-K7 /tag: common tags, then the team’s, then a new one; never one the chat has', () => {
    const all = tagSuggestions('', ['solved'], ['printer-jam', 'qa']).map((s) => s.label);
    expect(all.slice(0, 3)).toEqual(['qa', 'crash', 'print']);
    expect(all).not.toContain('solved');
    expect(all.at(-1)).toBe('printer-jam');
    expect(all.filter((t) => t === 'qa')).toHaveLength(1);
    expect(tagSuggestions('fire', [], []).map((s) => s.label)).toEqual(['firewall', 'fire']);
    expect(tagSuggestions('fire', [], []).at(-1)).toMatchObject({
      detail: 'New tag',
      text: '/tag fire',
      complete: true,
    });
    expect(tagSuggestions('wall', [], []).map((s) => s.label)).toEqual(['firewall', 'wall']);
    expect(tagSuggestions('solved', ['solved'], []).map((s) => s.label)).toEqual([]);
  });
});

describe('suggestionKey', () => {
  it('moves with Down and Up (wrapping), chooses with Tab or Enter, closes with Escape', () => {
    expect(suggestionKey(key('ArrowDown'), 3, 2)).toEqual({ action: 'move', index: 0 });
    expect(suggestionKey(key('ArrowUp'), 3, 0)).toEqual({ action: 'move', index: 2 });
    expect(suggestionKey(key('Tab'), 3, 1)).toEqual({ action: 'choose', index: 1, run: false });
    expect(suggestionKey(key('Enter'), 3, 1)).toEqual({ action: 'choose', index: 1, run: true });
    expect(suggestionKey(key('Escape'), 3, 1)).toEqual({ action: 'close' });
    expect(suggestionKey(key('Enter', true), 3, 1)).toBeNull();
    expect(suggestionKey(key('Tab', true), 3, 1)).toBeNull();
    expect(suggestionKey(key('a'), 3, 1)).toBeNull();
    expect(suggestionKey(key('Enter'), 0, 0)).toBeNull();
  });
});
