/**
 * Runs the archive's sweep (SPEC.md SP-U8, SP-U9) once at start and then every few minutes,
 * in the shell: the archive itself takes no timers. A failed sweep is logged and the
 * next one tries again.
 *
 * Exports: `startArchiveSweep(archive, log, everyMs)` → stop function, `SWEEP_EVERY_MS`.
 */
import type { Logger } from '../log.ts';
import type { TranscriptArchive } from './transcript-archive.ts';

export const SWEEP_EVERY_MS = 5 * 60 * 1000;

export function startArchiveSweep(
  archive: Pick<TranscriptArchive, 'sweep'>,
  log: Logger,
  everyMs = SWEEP_EVERY_MS,
): () => void {
  const run = () => {
    try {
      archive.sweep();
    } catch (error) {
      log.error({ err: error }, 'archive sweep failed');
    }
  };
  run();
  const timer = setInterval(run, everyMs);
  // The sweep alone must not keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
