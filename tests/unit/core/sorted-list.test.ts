/**
 * The chunked sorted list behind the queues and the helper index, against a plain
 * sorted array: random inserts and removes, with every answer compared after each
 * step. Sizes go past a few chunks so that splits, merges and empty chunks happen.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedList } from '../../../signal/core/sorted-list.ts';

const byValue = (a: number, b: number) => a - b;

describe('SortedList', () => {
  it('agrees with a sorted array after every insert and remove', () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ insert: fc.integer({ min: 0, max: 5000 }) }) },
      { weight: 2, arbitrary: fc.record({ remove: fc.integer({ min: 0, max: 5000 }) }) },
      // Removing a run from the front, as accepts at the head of a queue do.
      { weight: 1, arbitrary: fc.record({ shift: fc.integer({ min: 1, max: 400 }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.nat({ max: 3000 }), (ops, prefill) => {
        const list = new SortedList(byValue);
        const model: number[] = [];
        const insert = (x: number) => {
          let at = 0;
          while (at < model.length && model[at]! < x) at++;
          if (model[at] === x) return;
          list.insert(x);
          model.splice(at, 0, x);
        };
        // Distinct values in a scattered order (7919 is prime to 5001).
        for (let i = 0; i < prefill; i++) list.insert((i * 7919) % 5001);
        for (let i = 0; i < prefill; i++) model.push((i * 7919) % 5001);
        model.sort(byValue);
        for (const o of ops) {
          if ('insert' in o) insert(o.insert);
          else if ('remove' in o) {
            const i = model.indexOf(o.remove);
            expect(list.remove(o.remove)).toBe(i >= 0);
            if (i >= 0) model.splice(i, 1);
          } else {
            for (const x of model.splice(0, o.shift)) expect(list.remove(x)).toBe(true);
          }
          expect(list.size).toBe(model.length);
          expect(list.first()).toBe(model[0]);
          const probe = model[model.length >> 1];
          if (probe !== undefined) {
            expect(list.rank(probe)).toBe(model.length >> 1);
            expect(list.at(model.length >> 1)).toBe(probe);
          }
        }
        expect([...list]).toEqual(model);
        expect([...list.from(model.length >> 2)]).toEqual(model.slice(model.length >> 2));
        for (let i = 0; i < model.length; i += 97) expect(list.rank(model[i]!)).toBe(i);
        expect(list.rank(-1)).toBe(-1);
        expect(list.at(model.length)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });
});

describe('SortedList reads that allocate nothing', () => {
  it('copyFrom copies a window in order, and find returns the first match', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 1500 }),
        fc.nat({ max: 1600 }),
        fc.nat({ max: 80 }),
        fc.integer({ min: 0, max: 5000 }),
        (values, index, max, above) => {
          const list = new SortedList(byValue);
          for (const x of values) list.insert(x);
          const model = [...values].sort(byValue);
          const into: (number | undefined)[] = [-1, -1];
          const n = list.copyFrom(index, max, into);
          expect(n).toBe(model.slice(index, index + max).length);
          expect(into.slice(0, n)).toEqual(model.slice(index, index + max));
          expect(list.find((x) => x > above)).toBe(model.find((x) => x > above));
        },
      ),
      { numRuns: 200 },
    );
  });
});
