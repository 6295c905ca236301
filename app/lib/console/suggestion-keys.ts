/**
 * The keys of a suggestion list under a text box (the listbox of the ARIA combobox
 * pattern, kept on the textarea's own textbox role): Down and Up move through the
 * options, wrapping; Tab takes the active one into the box; Enter takes it and, when
 * it completes a command, runs it; Escape closes the list until the text changes.
 * Pure, so the console's reply box and any other picker share it.
 */
export type SuggestionKeyAction =
  | { action: 'move'; index: number }
  | { action: 'choose'; index: number; run: boolean }
  | { action: 'close' };

export function suggestionKey(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey' | 'isComposing'>,
  count: number,
  active: number,
): SuggestionKeyAction | null {
  if (count === 0 || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
    return null;
  }
  switch (event.key) {
    case 'ArrowDown':
      return { action: 'move', index: (active + 1) % count };
    case 'ArrowUp':
      return { action: 'move', index: (active - 1 + count) % count };
    case 'Tab':
      return event.shiftKey ? null : { action: 'choose', index: active, run: false };
    case 'Enter':
      return event.shiftKey ? null : { action: 'choose', index: active, run: true };
    case 'Escape':
      return { action: 'close' };
    default:
      return null;
  }
}
