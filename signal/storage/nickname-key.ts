/** The form in which nicknames are compared: unique ignoring case and Unicode
 * compatibility forms, so "Alice" and "alice" (or full-width "ａｌｉｃｅ") are one name. */
export function nicknameKey(nickname: string): string {
  return nickname.normalize('NFKC').toLowerCase();
}
