/**
 * SPEC.md SP-CR2, SP-CR6 as a property: whatever the order of writes, dropped sockets
 * (frames in flight lost with them), reconnects and service restarts, once everyone
 * is back every console holds every message written, exactly once, in the same
 * order. The consoles are the app's own RoomModel (app/lib/room/room-model.ts) over
 * real WebSockets to the real service; fast-check picks the schedule and prints the
 * seed of a failing one. Waits are for conditions, never sleeps.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as v from 'valibot';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, ServiceToStaff } from '../../../protocol/index.ts';
import { isRoomServiceMessage, RoomModel } from '../../../app/lib/room/room-model.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { startService, type Service } from '../harness.ts';

const NICKNAMES = ['alice', 'bob', 'molly'] as const;
const SETTLE_MS = 15_000;

class TestConsole {
  readonly model: RoomModel;
  #ws: WebSocket | null = null;
  #ids = 0;

  constructor(
    readonly nickname: string,
    readonly token: string,
  ) {
    this.model = new RoomModel({
      send: (msg) => {
        if (this.#ws?.readyState !== WebSocket.OPEN) return false;
        this.#ws.send(JSON.stringify(msg));
        return true;
      },
      // Random, as the console's: a counter would repeat across runs, and the service
      // rightly answers a repeated (author, id) with the message stored first.
      newId: () => `${nickname}-${(this.#ids += 1)}-${randomBytes(6).toString('base64url')}`,
      now: () => Date.now(),
      self: () => nickname,
    });
  }

  get connected(): boolean {
    return this.#ws !== null;
  }

  connect(port: number): void {
    if (this.#ws !== null) return;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/staff`);
    this.#ws = ws;
    ws.on('error', () => undefined);
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, session: this.token })),
    );
    ws.on('message', (data: Buffer) => {
      if (this.#ws !== ws) return;
      const msg = v.parse(ServiceToStaff, JSON.parse(data.toString('utf8')) as unknown);
      if (msg.type === 'welcome') this.model.welcomed();
      else if (isRoomServiceMessage(msg)) this.model.receive(msg);
    });
    ws.on('close', () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.model.offline();
    });
  }

  /** The socket dies at once; whatever was in flight is lost with it. */
  drop(): void {
    const ws = this.#ws;
    if (ws === null) return;
    this.#ws = null;
    ws.terminate();
    this.model.offline();
  }
}

type Op =
  | { kind: 'write'; who: number }
  | { kind: 'drop'; who: number }
  | { kind: 'reconnect'; who: number }
  | { kind: 'restart' };

const who = fc.integer({ min: 0, max: NICKNAMES.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: who.map((w) => ({ kind: 'write' as const, who: w })) },
  { weight: 2, arbitrary: who.map((w) => ({ kind: 'drop' as const, who: w })) },
  { weight: 2, arbitrary: who.map((w) => ({ kind: 'reconnect' as const, who: w })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

function until(consoles: TestConsole[], done: () => boolean, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const finish = (error?: Error) => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`not settled: ${what()}`)), SETTLE_MS);
    for (const c of consoles) offs.push(c.model.subscribe(() => done() && finish()));
  });
}

describe('SP-CR2 SP-CR6 room delivery under disconnects and restarts (property)', () => {
  let service: Service;
  let dataDir: string;
  const tokens: string[] = [];
  const env = {
    ROOM_MESSAGES_PER_MINUTE: '6000',
    WS_MESSAGES_PER_SECOND: '1000',
    WS_MESSAGE_BURST: '1000',
  };

  beforeAll(async () => {
    service = await startService({ transport: 'uws', demo: true, env });
    dataDir = service.dataDir;
    for (const nickname of NICKNAMES) tokens.push(await service.signIn(nickname, DEMO_PASSWORD));
  });
  afterAll(async () => {
    await service.close();
  });

  it('SP-CR6 every console ends with every message once, in one order', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 24 }), async (ops) => {
        run += 1;
        // Each run writes its own texts; earlier runs' messages are history.
        const consoles = NICKNAMES.map((n, i) => new TestConsole(n, tokens[i]!));
        for (const c of consoles) c.connect(service.port);
        await until(
          consoles,
          () => consoles.every((c) => c.model.view.status === 'joined'),
          () => consoles.map((c) => c.model.view.status).join(),
        );
        const startSeq = Math.max(...consoles.map((c) => c.model.lastSeq));
        const written: string[] = [];
        for (const step of ops) {
          const c = consoles['who' in step ? step.who : 0]!;
          if (step.kind === 'write') {
            const text = `run ${run} message ${written.length + 1} by ${c.nickname}`;
            expect(c.model.write(text).ok).toBe(true);
            written.push(text);
          } else if (step.kind === 'drop') {
            c.drop();
          } else if (step.kind === 'reconnect') {
            c.connect(service.port);
          } else {
            for (const each of consoles) each.drop();
            await service.close({ keepData: true });
            service = await startService({ transport: 'uws', demo: true, env, dataDir });
          }
        }
        for (const c of consoles) c.connect(service.port);
        const mine = (c: TestConsole) => c.model.view.messages.filter((m) => m.seq > startSeq);
        await until(
          consoles,
          () =>
            consoles.every(
              (c) =>
                c.model.view.status === 'joined' &&
                c.model.view.outbox.length === 0 &&
                mine(c).length >= written.length,
            ),
          () =>
            consoles
              .map(
                (c) =>
                  `${c.nickname}: ${c.model.view.status} ${mine(c).length}/${written.length} outbox ${c.model.view.outbox.length}`,
              )
              .join('; '),
        );
        const orders = consoles.map((c) => mine(c).map((m) => `${m.seq}:${m.text}`));
        for (const order of orders) {
          // Exactly the texts written, each once (no loss, no doubles)…
          expect([...order.map((o) => o.slice(o.indexOf(':') + 1))].sort()).toEqual(
            [...written].sort(),
          );
          // …with seqs strictly increasing and the same order everywhere.
          const seqs = order.map((o) => Number(o.slice(0, o.indexOf(':'))));
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          expect(new Set(seqs).size).toBe(seqs.length);
          expect(order).toEqual(orders[0]);
        }
        for (const c of consoles) c.drop();
      }),
      { numRuns: 25 },
    );
  }, 240_000);
});
