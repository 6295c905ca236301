/**
 * S6 runs in a server child (pinned, fresh per repetition, like S3) with no sockets:
 * command `run` plays one chat of `messages` messages between two replicas in this
 * process, through our chat document layer or through raw Yjs, and returns what it
 * cost.
 *
 * - Ours is what the session's replica does (app/lib/session/chat-replica.ts): the
 *   writer posts with `ChatDocument.postMessage` (schema check, Lamport `seq`, an id
 *   in its key space, the size budget); the receiver runs the update through
 *   `filterUpdate` (the permission filter every incoming update goes through, CHAT.md
 *   CH-A1), checks its `DocSizeBudget` and applies it. A visitor and a helper take turns,
 *   so both the visitor rules (CH-A5–CH-A7, each message parsed) and the helper's path are
 *   in the figure. Wire framing and the acknowledgement are not: raw Yjs has neither.
 * - Raw Yjs is the plainest schema: a Y.Array of plain objects `{id, kind, body, at}`,
 *   pushed by the writer and applied as is by the receiver.
 * - Raw Yjs keyed is our document's shape without our layer: a Y.Map of `{kind, body,
 *   at}` by a random id, set by the writer, applied as is, read back sorted by `at`. It
 *   is the floor of the shape (each message its own map item with its key), with
 *   neither filter, budget nor schema (issue 17: how much of the load is the shape).
 * Both get the same bodies and times (seeded), and every update the writer's
 * document emits is handed to the other replica straight away, as a data channel
 * would.
 *
 * Timed per message: the write (until the writer's update is out) and the receipt
 * (filter and apply). Load: a fresh replica takes the whole transcript as one
 * encoded state (ours: a helper's sync step 2, filtered, then the ordered messages
 * read as the view reads them; raw: the update applied and the array read). Each
 * replica names its root type before the transcript comes, as an app does before it
 * syncs (ours: ChatReplica makes its ChatDocument in its constructor). A root that the
 * transcript itself creates deoptimised Yjs's struct reader mid-load in ours' child
 * (V8 "wrong call target" in `readClientsStructRefs`): 20 ms of CPU that no session pays.
 */
import * as v from 'valibot';
import * as Y from 'yjs';
import {
  applyReceivedUpdate,
  ChatDocument,
  DocSizeBudget,
  filterUpdate,
  ParticipantBindings,
  type RandomBytes,
} from '../../../protocol/index.ts';
import { seededRandom } from '../../fixtures/in-memory-network.ts';
import type { StartedServer } from '../lib/child-protocol.ts';

export const ChatDocRun = v.object({
  impl: v.picklist(['ours', 'raw', 'keyed']),
  messages: v.number(),
  seed: v.number(),
});
export type ChatDocRun = v.InferOutput<typeof ChatDocRun>;

export const ChatDocTimings = v.object({
  /** Means per message, in microseconds. */
  writeUs: v.number(),
  receiveUs: v.number(),
  /** Mean bytes of one message's update. */
  updateBytes: v.number(),
  /** Loading the whole transcript into a fresh replica, in milliseconds. */
  loadMs: v.number(),
  /** The same load's CPU time in this (pinned) process: what other work on the machine
   * does not stretch, as it stretches the wall-clock figure. */
  loadCpuMs: v.number(),
  /** The transcript as one encoded state. */
  stateBytes: v.number(),
});
export type ChatDocTimings = v.InferOutput<typeof ChatDocTimings>;

export function start(): Promise<StartedServer> {
  return Promise.resolve({
    port: 0,
    commands: { run: (payload) => Promise.resolve(runChatDoc(v.parse(ChatDocRun, payload))) },
  });
}

/** One replica, as the chat sees it: writes a message, takes the other's update. */
type Replica = {
  readonly doc: Y.Doc;
  post(body: string, at: number): void;
  receive(update: Uint8Array): void;
};

type Contender = {
  pair(random: () => number): [Replica, Replica];
  /** Loads an encoded transcript into a fresh replica; returns the messages read. */
  load(state: Uint8Array): number;
};

/** Marks the receiver's own applies, so the writer's update is the only one taken. */
const REMOTE = Symbol('remote');

const VISITOR = 1001;
const HELPER = 2002;
const LOADER = 3003;
const bindings = new ParticipantBindings([
  { id: 'visitor', role: 'visitor', clientIds: [VISITOR] },
  { id: 'helper', role: 'helper', clientIds: [HELPER] },
  { id: 'newcomer', role: 'helper', clientIds: [LOADER] },
]);

function docWithClient(clientId: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  return doc;
}

const ours: Contender = {
  pair(random) {
    const bytes: RandomBytes = (length) =>
      Uint8Array.from({ length }, () => Math.floor(random() * 256));
    const replica = (clientId: number, peer: 'visitor' | 'helper'): Replica => {
      const doc = docWithClient(clientId);
      const budget = new DocSizeBudget(doc);
      const chat = new ChatDocument(doc, { random: bytes, budget });
      const sender = bindings.participant(peer);
      return {
        doc,
        post(body, at) {
          const posted = chat.postMessage({ kind: 'text', body }, at);
          if (!posted.ok) throw new Error(`post refused: ${posted.code}`);
        },
        receive(update) {
          const verdict = filterUpdate(update, { sender, bindings, message: 'update' });
          if (!verdict.ok) throw new Error(`update refused: ${verdict.code} ${verdict.detail}`);
          if (!budget.admits(update.length)) throw new Error('document over its size cap');
          // Neither replica has a third link to relay to (ChatReplica #relays).
          applyReceivedUpdate(doc, update, REMOTE, false);
        },
      };
    };
    // Each receives from the other: the visitor's updates come from the helper.
    return [replica(VISITOR, 'helper'), replica(HELPER, 'visitor')];
  },
  load(state) {
    // As a replica: its budget and chat document (which names the root types and
    // observes the messages) are made with it, before a peer's first frame.
    const doc = docWithClient(LOADER);
    const budget = new DocSizeBudget(doc);
    const chat = new ChatDocument(doc, { budget });
    const source = { sender: bindings.participant('helper'), bindings, message: 'step2' } as const;
    const verdict = filterUpdate(state, source);
    if (!verdict.ok) throw new Error(`transcript refused: ${verdict.code} ${verdict.detail}`);
    if (!budget.admits(state.length)) throw new Error('transcript over the size cap');
    applyReceivedUpdate(doc, state, REMOTE, false);
    return chat.messages(bindings).length;
  },
};

const raw: Contender = {
  pair(random) {
    const replica = (clientId: number): Replica => {
      const doc = docWithClient(clientId);
      const messages = doc.getArray<object>('messages');
      return {
        doc,
        post(body, at) {
          messages.push([{ id: randomId(random), kind: 'text', body, at }]);
        },
        receive(update) {
          Y.applyUpdate(doc, update, REMOTE);
        },
      };
    };
    return [replica(VISITOR), replica(HELPER)];
  },
  load(state) {
    const doc = docWithClient(LOADER);
    const messages = doc.getArray<object>('messages');
    Y.applyUpdate(doc, state, REMOTE);
    return messages.toArray().length;
  },
};

type KeyedEntry = { kind: string; body: string; at: number };

const keyed: Contender = {
  pair(random) {
    const replica = (clientId: number): Replica => {
      const doc = docWithClient(clientId);
      const messages = doc.getMap<KeyedEntry>('messages');
      return {
        doc,
        post(body, at) {
          messages.set(randomId(random), { kind: 'text', body, at });
        },
        receive(update) {
          Y.applyUpdate(doc, update, REMOTE);
        },
      };
    };
    return [replica(VISITOR), replica(HELPER)];
  },
  load(state) {
    const doc = docWithClient(LOADER);
    const messages = doc.getMap<KeyedEntry>('messages');
    Y.applyUpdate(doc, state, REMOTE);
    const read: KeyedEntry[] = [];
    for (const entry of messages.values()) read.push(entry);
    return read.sort((a, b) => a.at - b.at).length;
  },
};

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same 16 random characters our ids carry after their client prefix. */
function randomId(random: () => number): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[Math.floor(random() * 64)];
  return id;
}

const WORDS = (
  'the printer jams on every page when I print from the browser could you try ' +
  'settings again please thanks it works now bookmarks toolbar sync account help'
).split(' ');

/** Chat-like bodies: 2 to 30 words (about 10 to 200 characters). */
function bodies(count: number, random: () => number): string[] {
  return Array.from({ length: count }, () => {
    const words = 2 + Math.floor(random() * 29);
    return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(
      ' ',
    );
  });
}

function play(contender: Contender, count: number, seed: number): ChatDocTimings {
  const random = seededRandom(seed);
  const texts = bodies(count, random);
  const [visitor, helper] = contender.pair(random);
  /** What the writer's document emitted for the message being written. */
  const outgoing: Uint8Array[] = [];
  for (const replica of [visitor, helper]) {
    replica.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) outgoing.push(update);
    });
  }
  let writeMs = 0;
  let receiveMs = 0;
  let updateBytes = 0;
  for (let i = 0; i < count; i++) {
    // Turns alternate: a question, an answer.
    const [writer, receiver] = i % 2 === 0 ? [visitor, helper] : [helper, visitor];
    outgoing.length = 0;
    const t0 = performance.now();
    writer.post(texts[i]!, 1_700_000_000_000 + i * 1000);
    const t1 = performance.now();
    const update = outgoing[0];
    if (update === undefined || outgoing.length > 1) {
      throw new Error(`message ${i} produced ${outgoing.length} updates, not one`);
    }
    receiver.receive(update);
    const t2 = performance.now();
    writeMs += t1 - t0;
    receiveMs += t2 - t1;
    updateBytes += update.length;
  }
  const state = Y.encodeStateAsUpdate(helper.doc);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const loaded = contender.load(state);
  const loadMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (loaded !== count) throw new Error(`loaded ${loaded} of ${count} messages`);
  return {
    writeUs: (writeMs * 1000) / count,
    receiveUs: (receiveMs * 1000) / count,
    updateBytes: updateBytes / count,
    loadMs,
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    stateBytes: state.length,
  };
}

export function runChatDoc(run: ChatDocRun): ChatDocTimings {
  const contender = { ours, raw, keyed }[run.impl];
  // This process is fresh: a tenth of the chat first, untimed, so the timed one
  // runs on warmed-up code.
  play(contender, Math.ceil(run.messages / 10), run.seed + 1);
  return play(contender, run.messages, run.seed);
}
