/** F8: Enter sends, Shift+Enter is a new line; nothing is sent mid-composition (IME). */
export function replyKeyAction(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'isComposing' | 'altKey' | 'ctrlKey' | 'metaKey'>,
): 'send' | 'type' {
  if (event.key !== 'Enter' || event.isComposing) return 'type';
  if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return 'type';
  return 'send';
}
