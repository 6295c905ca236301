/**
 * F32 "forget this visitor", the files (SPEC.md SP-PV7): without `SMTP_URL` every email
 * is written as `DATA_DIR/mail/<outbox id>.eml`, so erasing the outbox rows is not
 * enough. This removes the files of the erased outbox rows and any other `.eml`
 * file in the folder that names the visitor (one of their ids, emails or IPs), e.g.
 * one whose outbox row an earlier sweep already dropped.
 *
 * Exports: `eraseMailFiles(dir, outboxIds, needles)`.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Removes the visitor's `.eml` files from `dir`; returns how many went. */
export function eraseMailFiles(
  dir: string,
  outboxIds: readonly string[],
  needles: readonly string[],
): number {
  if (!existsSync(dir)) return 0;
  const byId = new Set(outboxIds.map((id) => `${id}.eml`));
  const lowered = needles.filter((needle) => needle !== '').map((n) => n.toLowerCase());
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.eml') && !name.endsWith('.eml.tmp')) continue;
    const file = join(dir, name);
    const named =
      byId.has(name) ||
      (lowered.length > 0 &&
        ((text) => lowered.some((needle) => text.includes(needle)))(
          readFileSync(file, 'utf8').toLowerCase(),
        ));
    if (!named) continue;
    rmSync(file, { force: true });
    removed += 1;
  }
  return removed;
}
