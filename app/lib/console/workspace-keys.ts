/**
 * The console's keyboard shortcuts (issue 11): one table, read by the shortcut
 * help dialog and by the key handler, so the help never lists a key that does not
 * work. Alt combinations are matched on `event.code` (the physical key), because
 * Alt+letter types a different character on some layouts (macOS: Alt+R is ®).
 */
export type WorkspaceAction =
  'next-chat' | 'previous-chat' | 'focus-reply' | 'accept-offer' | 'toggle-visitor' | 'help';

export type Shortcut = { action: WorkspaceAction; keys: string; description: string };

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'next-chat', keys: 'Alt+↓', description: 'Next chat' },
  { action: 'previous-chat', keys: 'Alt+↑', description: 'Previous chat' },
  { action: 'focus-reply', keys: 'Alt+R', description: 'Focus the reply box' },
  { action: 'accept-offer', keys: 'Alt+A', description: 'Accept the top chat offer' },
  { action: 'toggle-visitor', keys: 'Alt+I', description: 'Show or hide visitor information' },
  { action: 'help', keys: '?', description: 'Show these shortcuts' },
];

type KeyLike = Pick<KeyboardEvent, 'key' | 'code' | 'altKey' | 'ctrlKey' | 'metaKey'>;

const ALT_CODES: Readonly<Record<string, WorkspaceAction>> = {
  ArrowDown: 'next-chat',
  ArrowUp: 'previous-chat',
  KeyR: 'focus-reply',
  KeyA: 'accept-offer',
  KeyI: 'toggle-visitor',
};

/**
 * The action a key press asks for, or null. `typing` says whether focus is in a
 * text field: there `?` is a character, not the help.
 */
export function shortcutFor(event: KeyLike, typing: boolean): WorkspaceAction | null {
  if (event.ctrlKey || event.metaKey) return null;
  if (event.altKey) return ALT_CODES[event.code] ?? null;
  if (event.key === '?' && !typing) return 'help';
  return null;
}

/** The chat after (step 1) or before (step -1) `current`, wrapping around. */
export function neighbour(
  ids: readonly string[],
  current: string | null,
  step: 1 | -1,
): string | null {
  if (ids.length === 0) return null;
  const index = current === null ? -1 : ids.indexOf(current);
  if (index === -1) return step === 1 ? ids[0]! : ids[ids.length - 1]!;
  return ids[(index + step + ids.length) % ids.length]!;
}
