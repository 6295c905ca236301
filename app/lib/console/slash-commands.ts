/**
 * Slash commands of the console's reply box (F16, F17, F14): what a line starting
 * with `/` means, and what to suggest while it is typed. Pure: no console, no DOM.
 * The command table is passed in, so another feature adds its command by adding a
 * row (and handling its name) without touching the parser.
 *
 * - `parseReply(text, commands)`: a message, a command with its argument, or an
 *   error in words (unknown command, missing argument).
 * - `replySuggestions(text, commands, argumentSource)`: what to offer for the text
 *   typed so far: command names after `/`, then the command's own suggestions for its
 *   argument (tags for `/tag`), with what choosing each one makes of the text.
 *
 * `//text` sends `/text` as a message, for the visitor who must be told about a path.
 */

/** Whether the text is (the start of) a command: it must not show as the typing
 * preview the visitor sees (F10), since commands are staff-only. */
export function looksLikeCommand(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith('/') && !start.startsWith('//');
}

export type SlashCommand = {
  /** Typed after the slash, lower case: `tag` for `/tag`. */
  name: string;
  /** What the argument is, for help and errors: `name`, `text`, `nickname`. */
  argument: string;
  /** One line for the suggestion list and the help. */
  description: string;
  /** Whether the command may be given with nothing after it (`/label` clears). */
  argumentOptional?: boolean;
};

/** The console's own commands; the reply box passes this table (plus others'). */
export const CONSOLE_COMMANDS: readonly SlashCommand[] = [
  { name: 'tag', argument: 'name', description: 'Tag this chat (staff only, never sent)' },
  {
    name: 'label',
    argument: 'text',
    description: 'Label this chat for staff (empty clears it)',
    argumentOptional: true,
  },
  { name: 'invite', argument: 'nickname', description: 'Invite another helper into this chat' },
];

export type ParsedReply =
  | { kind: 'message'; text: string }
  | { kind: 'command'; name: string; argument: string }
  | { kind: 'error'; error: string };

const COMMAND_LINE = /^\/([A-Za-z][\w-]*)(?:\s+([\s\S]*))?$/;

export function parseReply(text: string, commands: readonly SlashCommand[]): ParsedReply {
  const trimmed = text.trim();
  if (trimmed.startsWith('//')) return { kind: 'message', text: text.replace('/', '') };
  if (!trimmed.startsWith('/')) return { kind: 'message', text };
  const match = COMMAND_LINE.exec(trimmed);
  const name = (match?.[1] ?? trimmed.slice(1).split(/\s/)[0] ?? '').toLowerCase();
  const command = commands.find((c) => c.name === name);
  if (match === null || command === undefined) {
    const known = commands.map((c) => `/${c.name}`).join(', ');
    return {
      kind: 'error',
      error: `${name === '' ? 'That' : `/${name}`} is not a command. Commands: ${known}. To send a message that starts with /, begin it with //.`,
    };
  }
  const argument = (match[2] ?? '').trim();
  if (argument === '' && command.argumentOptional !== true) {
    return { kind: 'error', error: `Type /${command.name} followed by a ${command.argument}.` };
  }
  return { kind: 'command', name: command.name, argument };
}

export type Suggestion = {
  /** Stable id for the listbox option. */
  key: string;
  /** What the option shows. */
  label: string;
  detail: string;
  /** The reply box's text once it is chosen. */
  text: string;
  /** Whether choosing it completes the command, so Enter may run it at once. */
  complete: boolean;
};

/** Argument suggestions of one command for what was typed of the argument. */
export type ArgumentSource = (command: string, typed: string) => readonly Suggestion[];

/** At most this many suggestions show at once. */
export const MAX_SUGGESTIONS = 8;

export function replySuggestions(
  text: string,
  commands: readonly SlashCommand[],
  argumentsOf: ArgumentSource,
): Suggestion[] {
  if (!text.startsWith('/') || text.startsWith('//') || text.includes('\n')) return [];
  const space = text.search(/\s/);
  if (space === -1) {
    const typed = text.slice(1).toLowerCase();
    return commands
      .filter((c) => c.name.startsWith(typed))
      .slice(0, MAX_SUGGESTIONS)
      .map((c) => ({
        key: `command-${c.name}`,
        label: `/${c.name} ${c.argument}`,
        detail: c.description,
        text: `/${c.name} `,
        complete: false,
      }));
  }
  const name = text.slice(1, space).toLowerCase();
  if (!commands.some((c) => c.name === name)) return [];
  return argumentsOf(name, text.slice(space).trimStart()).slice(0, MAX_SUGGESTIONS);
}
