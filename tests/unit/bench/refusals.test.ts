/** S10's check of the sockets past the connection limit (SPEC.md SP-W5, tests/bench/lib/refusals.ts). */
import { describe, expect, it } from 'vitest';
import { refusalFaults, type Refusal } from '../../bench/lib/refusals.ts';

const FULL = { closeCode: 1013, errorCode: 'server_full' };
const refused: Refusal = { closeCode: 1013, errorCode: 'server_full', welcomed: false };

describe('refusalFaults (SP-W5)', () => {
  it('finds nothing wrong when every socket got server_full and 1013', () => {
    expect(refusalFaults([refused, refused, refused], FULL)).toEqual([]);
  });

  it('counts a socket that was welcomed', () => {
    expect(refusalFaults([refused, { ...refused, welcomed: true }], FULL)).toEqual([
      '1 of 2 welcomed past the limit',
    ]);
  });

  it('counts sockets closed with another code or without the error frame', () => {
    const dropped: Refusal = { closeCode: 1006, errorCode: null, welcomed: false };
    expect(refusalFaults([dropped, refused, dropped], FULL)).toEqual([
      '2 of 3 closed with another code than 1013',
      '2 of 3 not sent the error server_full',
    ]);
  });

  it('counts a wrong error code', () => {
    expect(refusalFaults([{ ...refused, errorCode: 'rate_limited' }], FULL)).toEqual([
      '1 of 1 not sent the error server_full',
    ]);
  });
});
