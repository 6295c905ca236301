/**
 * What S3 drives: a dispatcher of chat requests to helpers, behind one small
 * interface so that our switchboard core and the reference dispatcher are driven
 * by the same script. Each call returns the messages it produced; `offers` names
 * the chat each helper is being offered right now.
 */
export interface QueueDispatcher {
  helperOnline(helper: number): void;
  /** A visitor asks for a chat; returns the messages the call produced. */
  request(visitor: number): number;
  accept(helper: number): number;
  reject(helper: number): number;
  /** The helper ends the chat it holds with `visitor`. */
  end(helper: number, visitor: number): number;
  /** helper → the visitor whose chat it is offered now. */
  readonly offers: ReadonlyMap<number, number>;
  /** Broken invariants in the current state (0 when all hold). */
  violations(): number;
}
