/**
 * S6 chat document: a chat of 10,000 messages played between a visitor's and a
 * helper's replica through our chat document layer, against raw Yjs with the
 * plainest schema (servers/chat-doc.ts says what each does and what is timed), each
 * repetition in a fresh pinned child, interleaved. Pure Node: no browser, no socket.
 */
import { interleave } from '../lib/repetitions.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import { startServerProcess } from '../lib/server-process.ts';
import { ChatDocTimings, type ChatDocRun } from '../servers/chat-doc.ts';
import type { ScenarioContext } from './scenario.ts';

export type S6Sizes = { messages: number };
export const S6_FULL: S6Sizes = { messages: 10_000 };
export const S6_SMOKE: S6Sizes = { messages: 1000 };

const OURS = 'ours (chat document + filter)';
const RAW = 'raw Yjs (Y.Array of objects)';
/** Our document's shape in raw Yjs (servers/chat-doc.ts): the shape's own floor. */
const KEYED = 'raw Yjs keyed (Y.Map by message id)';
const SEED = 0x5eed_0006;

export async function runS6(context: ScenarioContext, sizes: S6Sizes): Promise<ResultRow[]> {
  const samples = await interleave([OURS, RAW, KEYED], context.plan, async (name, round) => {
    const server = await startServerProcess('chat-doc', {});
    try {
      const run: ChatDocRun = {
        impl: name === OURS ? 'ours' : name === RAW ? 'raw' : 'keyed',
        messages: round.warmUp ? Math.ceil(sizes.messages / 10) : sizes.messages,
        seed: SEED,
      };
      const t = await server.call('run', run, ChatDocTimings);
      return {
        messageUs: t.writeUs + t.receiveUs,
        writeUs: t.writeUs,
        receiveUs: t.receiveUs,
        updateBytes: t.updateBytes,
        loadMs: t.loadMs,
        loadCpuMs: t.loadCpuMs,
        stateKB: t.stateBytes / 1024,
      };
    } finally {
      await server.stop();
    }
  });
  const at = `@ ${sizes.messages} messages`;
  const spec = {
    scenario: 'S6' as const,
    ours: OURS,
    peers: [RAW],
    better: 'lower' as const,
  };
  return [
    rowFrom(samples, {
      ...spec,
      metric: `per message: write + receive (filter, apply) ${at}`,
      figure: 'messageUs',
      unit: 'µs',
      target: { on: 'ratio', max: 1.2 },
    }),
    rowFrom(samples, {
      ...spec,
      metric: `per message: update bytes ${at}`,
      figure: 'updateBytes',
      unit: 'B',
      target: { on: 'ratio', max: 1.2 },
    }),
    rowFrom(samples, {
      ...spec,
      metric: `per message: write ${at}`,
      figure: 'writeUs',
      unit: 'µs',
    }),
    rowFrom(samples, {
      ...spec,
      metric: `per message: receive ${at}`,
      figure: 'receiveUs',
      unit: 'µs',
    }),
    rowFrom(samples, {
      ...spec,
      metric: `load a ${sizes.messages}-message transcript (filter, apply, read in order)`,
      figure: 'loadMs',
      unit: 'ms',
      // Issue 17: a transcript loads within twice raw Yjs.
      target: { on: 'ratio', max: 2 },
    }),
    rowFrom(samples, {
      ...spec,
      metric: `load a ${sizes.messages}-message transcript, CPU time of the pinned child`,
      figure: 'loadCpuMs',
      unit: 'ms',
    }),
    rowFrom(samples, {
      ...spec,
      peers: [KEYED],
      metric: `load a ${sizes.messages}-message transcript vs the same shape in raw Yjs`,
      figure: 'loadMs',
      unit: 'ms',
    }),
    rowFrom(samples, {
      ...spec,
      metric: `transcript size, encoded ${at}`,
      figure: 'stateKB',
      unit: 'KB',
    }),
  ];
}
