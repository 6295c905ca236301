/**
 * S10's judgement of the sockets opened past the connection limit (SPEC.md SP-W5): every
 * one must be sent the documented error and closed with its close code, and none
 * may be welcomed. Pure, so the rule itself is unit-tested.
 */

/** How one socket past the limit was sent away. */
export type Refusal = {
  closeCode: number;
  /** The `code` of the error frame it was sent before the close, if any. */
  errorCode: string | null;
  /** The service said `welcome` to it: it was taken, not refused. */
  welcomed: boolean;
};

/** What is wrong with the refusals, one line per kind of fault (empty when all is right). */
export function refusalFaults(
  outcomes: readonly Refusal[],
  expected: { closeCode: number; errorCode: string },
): string[] {
  const faults: string[] = [];
  const count = (what: string, bad: (r: Refusal) => boolean): void => {
    const n = outcomes.filter(bad).length;
    if (n > 0) faults.push(`${n} of ${outcomes.length} ${what}`);
  };
  count('welcomed past the limit', (r) => r.welcomed);
  count(
    `closed with another code than ${expected.closeCode}`,
    (r) => r.closeCode !== expected.closeCode,
  );
  count(`not sent the error ${expected.errorCode}`, (r) => r.errorCode !== expected.errorCode);
  return faults;
}
