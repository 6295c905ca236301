/**
 * F12: the console reply box's formatting buttons, as pure edits of the draft: each
 * takes the text and the selection and returns the new text and selection, so the
 * component only applies them and the rules are unit-tested without a browser.
 */
export type FormatCommand = 'bold' | 'italic' | 'code' | 'link' | 'list';

export type Draft = { readonly text: string; readonly start: number; readonly end: number };

const WRAP: Record<'bold' | 'italic' | 'code', { mark: string; placeholder: string }> = {
  bold: { mark: '**', placeholder: 'bold text' },
  italic: { mark: '_', placeholder: 'italic text' },
  code: { mark: '`', placeholder: 'code' },
};

export const FORMAT_LABELS: Record<FormatCommand, string> = {
  bold: 'Bold',
  italic: 'Italic',
  code: 'Code',
  link: 'Link',
  list: 'List',
};

export function applyFormat(command: FormatCommand, draft: Draft): Draft {
  const { text } = draft;
  const start = Math.max(0, Math.min(draft.start, draft.end, text.length));
  const end = Math.min(text.length, Math.max(draft.start, draft.end));
  const selected = text.slice(start, end);
  const before = text.slice(0, start);
  const after = text.slice(end);

  if (command === 'link') {
    const label = selected === '' ? 'link text' : selected;
    const inserted = `[${label}](https://)`;
    // Leave the cursor where the address goes.
    const cursor = start + label.length + 3 + 'https://'.length;
    return { text: before + inserted + after, start: cursor, end: cursor };
  }

  if (command === 'list') {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const block = text.slice(lineStart, end);
    const lines = block.split('\n').map((line) => (line.startsWith('- ') ? line : `- ${line}`));
    const replaced = lines.join('\n');
    const head = text.slice(0, lineStart);
    return {
      text: head + replaced + after,
      start: lineStart,
      end: lineStart + replaced.length,
    };
  }

  const { mark, placeholder } = WRAP[command];
  const inner = selected === '' ? placeholder : selected;
  return {
    text: before + mark + inner + mark + after,
    start: start + mark.length,
    end: start + mark.length + inner.length,
  };
}

/** Ctrl/Cmd+B, +I and +E (code) in the reply box. */
export function shortcutCommand(event: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}): FormatCommand | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return null;
  switch (event.key.toLowerCase()) {
    case 'b':
      return 'bold';
    case 'i':
      return 'italic';
    case 'e':
      return 'code';
    default:
      return null;
  }
}
