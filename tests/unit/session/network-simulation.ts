/**
 * One run of the in-memory network simulation (CH-C10), shared by the seeded test
 * and the named regression seeds.
 */
import * as Y from 'yjs';
import { expect } from 'vitest';
import type { MessageKind } from '../../../protocol/index.ts';
import {
  InMemoryNetwork,
  mayLink,
  type NetworkEvent,
  type PeerSpec,
} from '../../fixtures/in-memory-network.ts';

export type Outcome = { posted: number; deleted: number; failures: number; frames: number };

/** A run with its trace: what went over the wire, in order, and each peer's client id. */
export type TracedOutcome = Outcome & {
  trace: NetworkEvent[];
  clients: Record<string, number>;
};

function peersFor(random: () => number): PeerSpec[] {
  const helpers = 1 + Math.floor(random() * 3);
  const specs: PeerSpec[] = [{ id: 'v', role: 'visitor' }];
  for (let i = 1; i <= helpers; i++) specs.push({ id: `h${i}`, role: 'helper' });
  if (specs.length < 3 || random() < 0.7) specs.push({ id: 'm', role: 'monitor' });
  return specs;
}

function pick<T>(random: () => number, items: readonly T[]): T | undefined {
  return items[Math.floor(random() * items.length)];
}

/** Runs one seed with its trace kept, for tests that check what a seed exercises. */
export function traceSeed(seed: number, steps = 250): TracedOutcome {
  const trace: NetworkEvent[] = [];
  const clients: Record<string, number> = {};
  const outcome = runSeed(seed, steps, (net) => {
    net.trace = trace;
    for (const [id, peer] of net.peers) clients[id] = peer.replica.doc.clientID;
  });
  return { ...outcome, trace, clients };
}

/** Runs one seed and checks every invariant; throws with the seed in the message. */
export function runSeed(
  seed: number,
  steps = 250,
  prepare?: (net: InMemoryNetwork) => void,
): Outcome {
  const shape = new InMemoryNetwork(seed, []).random;
  const net = new InMemoryNetwork(seed, peersFor(shape));
  prepare?.(net);
  const { random } = net;
  const ids = [...net.peers.keys()];
  const writers = ids.filter((id) => net.peer(id).spec.role !== 'monitor');
  const posted = new Map<string, string>(); // message id -> poster
  const deleted = new Set<string>();
  const outcome: Outcome = { posted: 0, deleted: 0, failures: 0, frames: 0 };
  try {
    net.connectAll();
    for (let step = 0; step < steps; step++) {
      const r = random();
      if (r < 0.55) {
        if (net.deliverOne()) outcome.frames++;
      } else if (r < 0.7) {
        const by = pick(random, writers)!;
        const kind: MessageKind = by === 'v' && random() < 0.2 ? 'page' : 'text';
        const result = net.peer(by).replica.post({ kind, body: `${by} says ${step}` });
        if (!result.ok) throw new Error(`post refused: ${result.code}`);
        posted.set(result.id, by);
        outcome.posted++;
        net.tick();
      } else if (r < 0.74) {
        const by = pick(random, writers)!;
        const own = net
          .peer(by)
          .replica.chat.messages()
          .filter((m) => posted.get(m.id) === by);
        const victim = pick(random, own);
        if (victim) {
          net.peer(by).replica.chat.deleteMessage(victim.id);
          net.trace?.push({ kind: 'delete', by });
          deleted.add(victim.id);
          outcome.deleted++;
        }
      } else if (r < 0.79) {
        const by = pick(random, writers)!;
        const last = net.peer(by).replica.chat.messages().at(-1);
        if (last) net.peer(by).replica.markRead(last.id);
      } else if (r < 0.83) {
        const by = pick(random, writers)!;
        net.peer(by).replica.setPresence({
          typing: random() < 0.5,
          focus: random() < 0.5 ? 'focused' : 'hidden',
          draft: `draft ${step}`,
        });
      } else if (r < 0.9) {
        const open = [...net.links.values()].filter((l) => l.open);
        const victim = pick(random, open);
        if (victim) {
          victim.fail();
          outcome.failures++;
        }
      } else {
        const a = pick(random, ids)!;
        const b = pick(random, ids)!;
        if (a !== b && mayLink(net.peer(a).spec.role, net.peer(b).spec.role)) net.connect(a, b);
      }
      checkAlways(net, posted);
    }
    net.connectAll();
    net.flush();
    checkConverged(net, posted, deleted);
    const pending: Record<string, number> = {};
    for (const [id, peer] of net.peers) pending[id] = peer.replica.pending().length;
    net.trace?.push({ kind: 'end', pending });
    return outcome;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`seed ${seed}: ${message}`, { cause: error });
  } finally {
    net.destroy();
  }
}

/** After every step: no peer refused an honest peer, and every message shown was
 * posted, by the participant it is attributed to. */
function checkAlways(net: InMemoryNetwork, posted: ReadonlyMap<string, string>): void {
  for (const peer of net.peers.values()) {
    const refused = peer.events.find((e) => e.type === 'refused');
    if (refused) throw new Error(`${peer.spec.id} refused: ${JSON.stringify(refused)}`);
    for (const m of peer.replica.chat.messages(peer.replica.bindings)) {
      if (posted.get(m.id) !== m.author?.id) {
        throw new Error(
          `${peer.spec.id} shows ${m.id} by ${m.author?.id}, posted by ${posted.get(m.id)}`,
        );
      }
    }
  }
}

function checkConverged(
  net: InMemoryNetwork,
  posted: ReadonlyMap<string, string>,
  deleted: ReadonlySet<string>,
): void {
  expect(net.inFlight()).toBe(0);
  const expected = [...posted.keys()].filter((id) => !deleted.has(id)).sort();
  let reference: string | undefined;
  for (const peer of net.peers.values()) {
    const { replica } = peer;
    const messages = replica.chat.messages(replica.bindings);
    const shown = messages.map((m) => m.id);
    expect(new Set(shown).size, `${peer.spec.id} shows a message twice`).toBe(shown.length);
    expect([...shown].sort(), `${peer.spec.id} lost or invented a message`).toEqual(expected);
    const view = JSON.stringify({
      messages: messages.map((m) => [m.id, m.kind, m.body, m.seq, m.at, m.authorClient]),
      reads: [...replica.chat.readStates(replica.bindings)].sort(),
      sv: [...Y.decodeStateVector(Y.encodeStateVector(replica.doc))].sort((a, b) => a[0] - b[0]),
    });
    reference ??= view;
    expect(view, `${peer.spec.id} differs`).toBe(reference);
    if (peer.spec.role !== 'monitor') {
      expect(replica.pending(), `${peer.spec.id} still has pending messages`).toEqual([]);
    }
  }
}
