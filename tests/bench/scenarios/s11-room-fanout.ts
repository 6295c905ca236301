/**
 * S11 room fan-out (issue 12, F20): one message to every staff socket in the
 * Contributors room (SPEC.md SP-CR2: stored with its `seq`, then sent to every socket in
 * the room, the writer's included) against the same fan-out through bare
 * uWebSockets.js `app.publish` to one topic every socket subscribed to.
 *
 * Per contender and repetition one fresh server process. `sockets` staff sockets
 * connect (ours: each a seeded helper account with its own session, `hello`, then
 * `room_join`); then socket 0 writes `messages` messages one after another, each once
 * every socket has received the one before (closed loop: the figure is the fan-out,
 * not a queue). Delivery time is from the write until a socket has the message,
 * over every (message, socket); CPU per message is the server process's utime +
 * stime over the messages, divided by their number. The bare room is sent frames of
 * the same shape and size as ours delivers (`room_message` with its entry), so both
 * sides' clients parse the same JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../protocol/index.ts';
import type { ServerKind } from '../lib/child-protocol.ts';
import { inPool, within } from '../lib/deadline.ts';
import { interleave, type Figures } from '../lib/repetitions.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import { startServerProcess, type ServerProcess } from '../lib/server-process.ts';
import { percentile } from '../lib/stats.ts';
import type { ScenarioContext } from './scenario.ts';

export type S11Sizes = { sockets: number; messages: number };
export const S11_FULL: S11Sizes = { sockets: 1000, messages: 200 };
export const S11_SMOKE: S11Sizes = { sockets: 50, messages: 20 };

const OURS = 'ours (Contributors room)';
const BARE = 'bare uWS publish';
const CONNECT_CONCURRENCY = 50;
const SETUP_TIMEOUT_MS = 300_000;
const MESSAGE_TIMEOUT_MS = 30_000;
/** The room's own limit raised to its ceiling: one writer sends every message here. */
const ROOM_ENV = { ROOM_MESSAGES_PER_MINUTE: '6000' };

const Sessions = v.object({ sessions: v.array(v.string()) });

type Room = {
  sockets: WebSocket[];
  /** Sends message `k` from socket 0. */
  write(k: number): void;
};

type Arrivals = { onMessage: (k: number) => void };

/** The `k` of a delivered room message (`m<k>`), or null for any other frame. Frames
 * listing the room's members (sent on every join) are skipped unparsed. */
function messageNumber(data: WebSocket.RawData): number | null {
  const text = String(data);
  if (!text.startsWith('{"type":"room_message"')) return null;
  const frame = JSON.parse(text) as { message?: { text?: unknown } };
  const body = frame.message?.text;
  return typeof body === 'string' && body.startsWith('m') ? Number(body.slice(1)) : null;
}

function open(url: string, onFrame: (data: WebSocket.RawData) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', onFrame);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Our room: each socket a helper signed in (`hello` with its session), then in the room. */
async function oursRoom(server: ServerProcess, count: number, arrivals: Arrivals): Promise<Room> {
  const { sessions } = v.parse(Sessions, server.info);
  const sockets: WebSocket[] = [];
  await inPool(count, CONNECT_CONCURRENCY, async (i) => {
    // The frame each setup step waits for; an error frame fails the step.
    let step: { prefix: string; done: () => void; fail: (e: Error) => void } | null = null;
    const until = (prefix: string, what: string) =>
      within(
        what,
        new Promise<void>((done, fail) => (step = { prefix, done, fail })),
        SETUP_TIMEOUT_MS,
      );
    const ws = await open(`ws://127.0.0.1:${server.port}/ws/staff`, (data) => {
      const k = messageNumber(data);
      if (k !== null) return arrivals.onMessage(k);
      const text = String(data);
      if (step === null) return;
      if (text.startsWith(step.prefix)) step.done();
      else if (text.startsWith('{"type":"error"')) step.fail(new Error(`refused: ${text}`));
    });
    const welcomed = until('{"type":"welcome"', `socket ${i} welcomed`);
    ws.send(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        session: sessions[i]!,
        chats: [],
        available: false,
      }),
    );
    await welcomed;
    const joined = until('{"type":"room_joined"', `socket ${i} in the room`);
    ws.send(JSON.stringify({ type: 'room_join' }));
    await joined;
    sockets[i] = ws;
  });
  return {
    sockets,
    write: (k) =>
      sockets[0]!.send(JSON.stringify({ type: 'room_send', id: `bench-${k}`, text: `m${k}` })),
  };
}

/** The bare room: sockets subscribed on open; socket 0 publishes frames shaped as ours. */
async function bareRoom(server: ServerProcess, count: number, arrivals: Arrivals): Promise<Room> {
  const sockets: WebSocket[] = [];
  await inPool(count, CONNECT_CONCURRENCY, async (i) => {
    sockets[i] = await open(`ws://127.0.0.1:${server.port}/`, (data) => {
      const k = messageNumber(data);
      if (k !== null) arrivals.onMessage(k);
    });
  });
  const frame = (k: number) =>
    JSON.stringify({
      type: 'room_message',
      message: {
        seq: k + 1,
        id: `bench-${k}`,
        kind: 'message',
        from: { nickname: 'helper0', name: 'helper0' },
        text: `m${k}`,
        at: Date.now(),
        mentions: [],
      },
    });
  return { sockets, write: (k) => sockets[0]!.send(frame(k)) };
}

type Contender = {
  name: string;
  kind: ServerKind;
  options: (sizes: S11Sizes, dataDir: string) => unknown;
  room: (server: ServerProcess, count: number, arrivals: Arrivals) => Promise<Room>;
};

const CONTENDERS: Contender[] = [
  {
    name: OURS,
    kind: 'service',
    options: (sizes, dataDir) => ({ dataDir, helpers: sizes.sockets, chatLimit: 1, env: ROOM_ENV }),
    room: oursRoom,
  },
  { name: BARE, kind: 'room-uws', options: () => ({}), room: bareRoom },
];

async function measure(
  context: ScenarioContext,
  contender: Contender,
  sizes: S11Sizes,
): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-'));
  const server = await startServerProcess(contender.kind, contender.options(sizes, dataDir), {
    maxSockets: sizes.sockets + 100,
  });
  const sentAt: number[] = [];
  const received: number[] = [];
  const delays: number[] = [];
  let allHave: () => void = () => undefined;
  const arrivals: Arrivals = {
    onMessage: (k) => {
      const at = sentAt[k];
      if (at === undefined) return;
      delays.push(performance.now() - at);
      received[k] = (received[k] ?? 0) + 1;
      if (received[k] === sizes.sockets) allHave();
    },
  };
  let room: Room | null = null;
  try {
    context.requireNative(server);
    room = await contender.room(server, sizes.sockets, arrivals);
    const cpuBefore = server.cpuSeconds();
    for (let k = 0; k < sizes.messages; k++) {
      const everyone = new Promise<void>((resolve) => (allHave = resolve));
      sentAt[k] = performance.now();
      room.write(k);
      await within(`message ${k} to reach ${sizes.sockets} sockets`, everyone, MESSAGE_TIMEOUT_MS);
    }
    const cpuMs = (server.cpuSeconds() - cpuBefore) * 1000;
    if (delays.length !== sizes.sockets * sizes.messages) {
      throw new Error(
        `${contender.name}: ${delays.length} deliveries, expected ${sizes.sockets * sizes.messages}`,
      );
    }
    return {
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      cpuPerMessage: cpuMs / sizes.messages,
    };
  } finally {
    for (const ws of room?.sockets ?? []) ws.terminate();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runS11(context: ScenarioContext, sizes: S11Sizes): Promise<ResultRow[]> {
  const samples = await interleave(
    CONTENDERS.map((c) => c.name),
    context.plan,
    (name) =>
      measure(
        context,
        CONTENDERS.find((c) => c.name === name)!,
        sizes,
      ),
  );
  const row = (metric: string, figure: string, unit: string, target?: number): ResultRow =>
    rowFrom(samples, {
      scenario: 'S11',
      metric,
      figure,
      unit,
      better: 'lower',
      ours: OURS,
      peers: [BARE],
      ...(target === undefined ? {} : { target: { on: 'ratio' as const, max: target } }),
    });
  return [
    row(`room message to ${sizes.sockets} staff sockets, delivery p50`, 'p50', 'ms'),
    row(`room message to ${sizes.sockets} staff sockets, delivery p99`, 'p99', 'ms', 1.5),
    row(`service CPU per room message to ${sizes.sockets} sockets`, 'cpuPerMessage', 'ms', 1.5),
  ];
}
