/**
 * CHAT.md CH-X10: the name a file is shown and saved under, everywhere it appears: the
 * chat (app/lib/messages/AttachmentView.svelte), the archived transcript page and the
 * transcript email. The name as sent stays in the document and the archive; only what
 * is shown is cleaned.
 */

const UNSAFE_NAME_CHARACTERS =
  // Path separators, characters Windows forbids, controls, bidi controls, zero-width ones:
  // matching control characters is the point here.
  // eslint-disable-next-line no-control-regex
  /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * CH-X10: a name to save the file under: no path, no control or bidi characters (an
 * `invoice\u202Efdp.exe` shows as what it is), no leading dots, at most 120
 * characters with the extension kept.
 */
export function safeFileName(name: string): string {
  let clean = name.normalize('NFC').replace(UNSAFE_NAME_CHARACTERS, '_').trim();
  clean = clean.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (clean.length > 120) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
    clean = clean.slice(0, 120 - ext.length) + ext;
  }
  return clean === '' ? 'file' : clean;
}
