/**
 * The copies of the earlier conversation a staff session holds after a requeue
 * (protocol/CHAT.md CH-K1–CH-K9, CH-V3): the visitor's (CH-K1, only the visitor's word) and a staff
 * peer's (CH-K8: a helper or monitor who stayed in the chat and holds the document). Each
 * copy is a document of its own, never merged into the chat document (CH-K2). The lines
 * shown are the union of both by message id, the staff copy's version first; the
 * visitor's copy only fills in what no staff copy holds (CH-K9). Whatever the source, a
 * helper line is its writer's only when its signature checks out (CH-V3).
 */
import {
  verifyHelperLines,
  type BoundParticipant,
  type EarlierHistory,
  type HistoryLine,
  type ListedWriter,
} from '../../../protocol/index.ts';
import type { HistorySource } from './chat-replica.ts';

/** One copy as received, and the participant who sent it. */
export type HeldCopy = { history: EarlierHistory; peer: string };

/** An earlier line, and whose copy it was taken from (CH-K9). */
export type EarlierLine = HistoryLine & { from: HistorySource };

/** CH-K9: the staff copy first, then the visitor's. */
const PRECEDENCE: readonly HistorySource[] = ['staff', 'visitor'];

export class EarlierCopies {
  readonly #copies = new Map<HistorySource, HeldCopy>();
  /** CH-V3: ids of lines whose signature checks out against their client id's bound key. */
  #verified: ReadonlySet<string> = new Set();
  #run = 0;

  get empty(): boolean {
    return this.#copies.size === 0;
  }

  /** CH-K5: a copy replaces the previous one from the same source. */
  take(from: HistorySource, copy: HeldCopy): void {
    this.#copies.set(from, copy);
    this.#verified = new Set();
  }

  /** Who sent the copies held, staff first. */
  sources(): { from: HistorySource; peer: string }[] {
    return PRECEDENCE.flatMap((from) => {
      const copy = this.#copies.get(from);
      return copy ? [{ from, peer: copy.peer }] : [];
    });
  }

  /** SPEC.md SP-U10: every copy held, as received, staff first (for the archive upload). */
  copies(): Uint8Array[] {
    return PRECEDENCE.flatMap((from) => {
      const copy = this.#copies.get(from);
      return copy ? [copy.history.update] : [];
    });
  }

  /** CH-K8: what this session hands another staff peer: the staff copy, else the visitor's. */
  best(): Uint8Array | null {
    for (const from of PRECEDENCE) {
      const copy = this.#copies.get(from);
      if (copy) return copy.history.update;
    }
    return null;
  }

  /** CH-K3 CH-K9: the lines of all copies, judged against the visitor, in CH-S5 order (seq, id).
   * Nothing without a visitor to judge against: then nothing is anyone's own line. */
  lines(visitor: BoundParticipant | undefined): EarlierLine[] {
    if (visitor === undefined) return [];
    const byId = new Map<string, EarlierLine>();
    for (const from of PRECEDENCE) {
      const copy = this.#copies.get(from);
      if (copy === undefined) continue;
      for (const line of copy.history.lines(visitor)) {
        if (!byId.has(line.id)) byId.set(line.id, { ...line, from });
      }
    }
    return [...byId.values()].sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1));
  }

  /** The lines with the signatures checked so far counted in (CH-V3). */
  judged(visitor: BoundParticipant | undefined): EarlierLine[] {
    const checked = this.#verified;
    return this.lines(visitor).map((line) =>
      checked.has(line.id) ? { ...line, verified: true } : line,
    );
  }

  /** CH-K6: the highest `seq` of the lines shown. */
  topSeq(visitor: BoundParticipant | undefined): number {
    return this.lines(visitor).reduce((max, line) => Math.max(max, line.seq), 0);
  }

  /** CH-V3: checks every helper line against the writers' bound keys; true when the result
   * is still current (no newer copy or check started meanwhile). */
  async verify(
    chatId: string,
    visitor: BoundParticipant | undefined,
    writers: readonly ListedWriter[],
  ): Promise<boolean> {
    const run = ++this.#run;
    const ids = await verifyHelperLines(chatId, this.lines(visitor), writers);
    if (run !== this.#run) return false;
    this.#verified = ids;
    return true;
  }
}
