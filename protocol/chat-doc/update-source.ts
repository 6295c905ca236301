/** Who an incoming Yjs update came from, as the permission filter judges it (permission-filter.ts). */
import type { BoundParticipant, ParticipantBindings } from './participant-bindings.ts';

export type UpdateSource = {
  /** The participant at the other end of the link the bytes came in on. */
  readonly sender: BoundParticipant | undefined;
  readonly bindings: ParticipantBindings;
  /** `update`: one transaction, small. `step2`: a sync reply, up to a whole document. */
  readonly message: 'update' | 'step2';
  /**
   * CH-S8: the highest `seq` the receiver holds (its document, and the earlier history it
   * shows, CH-K6), and how many deleted messages its document holds. Given, a visitor's
   * messages may not run ahead of them (`seq_ahead`).
   */
  readonly seqBound?: { highest: number; deleted: number };
};
