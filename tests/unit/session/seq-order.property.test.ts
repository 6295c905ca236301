/**
 * CHAT.md CH-S5 CH-S8 CH-C12 (issue 18): a visitor numbers its own messages, and a hostile one
 * may write any `seq` at all. Whatever it writes, an honest helper's consecutive
 * messages show in the order they were sent, and a reply shows after every message
 * the helper had when writing it. The visitor's raw writes bypass ChatDocument (an
 * attacker does not use our helpers); everything else is the real replica over the
 * in-memory network.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT, type MessageId } from '../../../protocol/index.ts';
import { InMemoryNetwork } from '../../fixtures/in-memory-network.ts';

const MAX = Number.MAX_SAFE_INTEGER;

const step = fc.oneof(
  // Any seq at all, the extremes weighted in.
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('forge' as const),
      seq: fc.oneof(fc.integer({ min: 1, max: MAX }), fc.constantFrom(MAX, MAX - 1, MAX - 2, 1)),
    }),
  },
  // Near the conversation, where an off-by-one would hide.
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('nudge' as const),
      delta: fc.integer({ min: -3, max: 3 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('reply' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('deliver' as const) }) },
);

describe('CH-S8 a visitor cannot reorder the conversation', () => {
  it('CH-S5 CH-S8 CH-C12 honest messages keep their order, and replies follow what they answer', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const net = new InMemoryNetwork(11, [
          { id: 'v', role: 'visitor' },
          { id: 'h', role: 'helper' },
        ]);
        try {
          net.connectAll();
          const visitor = net.peer('v').replica;
          const helper = net.peer('h').replica;
          const sent: { id: MessageId; answers: Set<string> }[] = [];
          let n = 0;
          for (const s of steps) {
            if (s.op === 'deliver') {
              net.flush();
              continue;
            }
            if (s.op === 'reply') {
              const held = new Set(helper.chat.messages().map((m) => m.id));
              const posted = helper.post({ kind: 'text', body: `reply ${n++}` });
              // An honest write never fails, whatever the visitor did (CH-S5: no seq past 2^53).
              expect(posted.ok, 'the helper could not write').toBe(true);
              if (posted.ok) sent.push({ id: posted.id, answers: held });
              continue;
            }
            const seq =
              s.op === 'forge'
                ? s.seq
                : Math.min(MAX, Math.max(1, visitor.chat.highestSeq() + s.delta));
            const id = `${visitor.doc.clientID.toString(36)}.forged${n++}`;
            visitor.doc.getMap(ROOT.messages).set(id, { kind: 'text', body: 'forged', at: 1, seq });
          }
          net.flush();
          const order = new Map(helper.chat.messages().map((m, i) => [m.id as string, i]));
          for (const [i, reply] of sent.entries()) {
            const at = order.get(reply.id)!;
            if (i > 0)
              expect(at, 'consecutive replies out of order').toBeGreaterThan(
                order.get(sent[i - 1]!.id)!,
              );
            for (const answered of reply.answers) {
              expect(at, 'a reply shows before what it answered').toBeGreaterThan(
                order.get(answered)!,
              );
            }
          }
        } finally {
          net.destroy();
        }
      }),
      { numRuns: Number(process.env['FC_RUNS'] ?? 300) },
    );
    // 300 runs take 2–3 s on an idle machine and over 10 s on a loaded one.
  }, 120_000);

  it('CH-S8 CH-C9 a visitor whose seq runs ahead is dropped once the wait is over', async () => {
    const net = new InMemoryNetwork(12, [
      { id: 'v', role: 'visitor' },
      { id: 'h', role: 'helper' },
    ]);
    try {
      net.connectAll();
      const visitor = net.peer('v').replica;
      const id = `${visitor.doc.clientID.toString(36)}.forged`;
      visitor.doc
        .getMap(ROOT.messages)
        .set(id, { kind: 'text', body: 'late', at: 1, seq: MAX - 1 });
      net.flush();
      const helper = net.peer('h');
      // Held, not applied: the helper shows nothing of it.
      expect(helper.replica.chat.messages()).toEqual([]);
      await expect
        .poll(() => helper.events.find((e) => e.type === 'refused'), { timeout: 15_000 })
        .toMatchObject({ type: 'refused', peer: 'v', code: 'seq_ahead' });
      expect(helper.replica.openLinks()).toEqual([]);
      expect(helper.replica.chat.messages()).toEqual([]);
    } finally {
      net.destroy();
    }
  }, 20_000);
});
