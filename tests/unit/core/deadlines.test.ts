/**
 * The deadline heap (signal/core/deadlines.ts) against a sorted list: deadlines come
 * out earliest first, only once due, each with its own key and time, however pushes
 * and pops interleave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineHeap, type DeadlineKey } from '../../../signal/core/deadlines.ts';

describe('DeadlineHeap', () => {
  it('pops due deadlines earliest first, with their keys, as a sorted list would', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ popUntil: fc.integer({ min: 0, max: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const heap = new DeadlineHeap();
        const model: { at: number; id: string }[] = [];
        let n = 0;
        for (const o of ops) {
          if ('push' in o) {
            const id = `c${n++}`;
            heap.push(o.push, { kind: 'offer', chatId: id });
            model.push({ at: o.push, id });
          } else {
            const popped: { at: number; key: DeadlineKey }[] = [];
            for (
              let key = heap.popDue(o.popUntil);
              key !== undefined;
              key = heap.popDue(o.popUntil)
            )
              popped.push({ at: heap.poppedAt, key });
            model.sort((a, b) => a.at - b.at);
            const due = model.filter((d) => d.at <= o.popUntil);
            model.splice(0, due.length);
            // Equal times may come out in any order; times must not.
            expect(popped.map((p) => p.at)).toEqual(due.map((d) => d.at));
            expect(popped.map((p) => (p.key.kind === 'offer' ? p.key.chatId : '')).sort()).toEqual(
              due.map((d) => d.id).sort(),
            );
          }
          expect(heap.size).toBe(model.length);
          expect(heap.nextAt()).toBe(
            model.length === 0 ? null : Math.min(...model.map((d) => d.at)),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
