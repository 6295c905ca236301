/**
 * The malformed-frame corpus against the real service, on both transports: every
 * frame gets a typed error (and the socket keeps being served) or a clean close of
 * that socket only, while a bystander on another socket keeps being answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/index.ts';
import { CORPUS, json, type Case, type Frame } from '../fixtures/malformed-frames.ts';
import {
  ADMIN_NICKNAME,
  ADMIN_PASSWORD,
  startService,
  type Service,
  type StaffClient,
  type VisitorClient,
} from './harness.ts';

const V = PROTOCOL_VERSION;

function send(client: VisitorClient | StaffClient, frame: Frame): void {
  if (typeof frame === 'string') client.sendRaw(frame);
  else if ('binary' in frame) client.sendRaw(frame.binary, true);
  else client.sendRaw(frame.invalidUtf8, false);
}

describe.each(['uws', 'ws'] as const)('malformed frames on %s', (transport) => {
  let service: Service;
  let session: string;
  let bystander: VisitorClient;

  beforeAll(async () => {
    service = await startService({
      transport,
      env: {
        // Every case opens sockets from 127.0.0.1; the limits are tested on their own.
        WS_CONNECTIONS_PER_IP_PER_MINUTE: '100000',
        WS_MESSAGES_PER_SECOND: '1000',
        WS_MESSAGE_BURST: '1000',
      },
    });
    session = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
    bystander = await service.visitor();
    await bystander.hello();
  });

  afterAll(async () => {
    await service.close();
  });

  /** SP-W3: the bystander's request still reaches the core and is answered. */
  async function bystanderIsServed(): Promise<void> {
    expect(bystander.isOpen).toBe(true);
    bystander.send({ type: 'cancel' });
    expect(await bystander.next('error')).toMatchObject({ code: 'no_request', ref: 'cancel' });
  }

  async function connect(c: Case): Promise<VisitorClient | StaffClient> {
    if (c.endpoint === 'staff') {
      const staff = await service.staff();
      if (c.beforeHello !== true) await staff.hello(session);
      return staff;
    }
    const visitor = await service.visitor();
    if (c.beforeHello !== true) await visitor.hello();
    return visitor;
  }

  it.each(CORPUS)('$name', async (c) => {
    const client = await connect(c);
    send(client, c.frame);
    if (c.error !== undefined) {
      const error = await client.nextError();
      expect(error.code).toBe(c.error);
      if ('ref' in c && c.ref !== undefined) expect(error.ref).toBe(c.ref ?? undefined);
    }
    if ('close' in c) {
      expect(c.close).toContain((await client.closedWithin()).code);
    } else {
      // SP-E1: a code without a close code leaves the socket open and served.
      expect(client.isOpen).toBe(true);
      if (c.beforeHello === true) {
        // Still awaiting hello: the bad frame was not taken for one (no welcome yet)…
        expect(client.received.map((m) => m.type)).not.toContain('welcome');
        client.sendRaw(
          c.endpoint === 'staff'
            ? json({ type: 'hello', v: V, session })
            : json({ type: 'hello', v: V }),
        );
        // …and the real hello is welcomed, once, as who it says.
        const welcome = await client.nextWelcome();
        expect(welcome).toMatchObject(
          c.endpoint === 'staff'
            ? { account: { nickname: ADMIN_NICKNAME } }
            : { visitorId: expect.any(String) },
        );
        expect(client.received.filter((m) => m.type === 'welcome')).toHaveLength(1);
        expect(client.isOpen).toBe(true);
      } else if (c.endpoint === 'staff') {
        client.sendRaw(json({ type: 'end', chatId: 'nope' }));
        expect((await client.nextError()).ref).toBe('end');
      } else {
        client.sendRaw(json({ type: 'cancel' }));
        expect((await client.nextError()).code).toBe('no_request');
      }
      client.close();
    }
    await bystanderIsServed();
  });

  it('SP-E2 every refused frame gets exactly one error', async () => {
    const client = await service.visitor();
    await client.hello();
    const frames = CORPUS.filter(
      (c) => !('close' in c) && c.beforeHello !== true && c.endpoint !== 'staff',
    );
    for (const c of frames) send(client, c.frame);
    client.sendRaw(json({ type: 'cancel' }));
    // The last answer is the cancel's: every frame before it got exactly one error.
    for (let i = 0; i < frames.length; i += 1) await client.next('error');
    expect((await client.next('error')).code).toBe('no_request');
    expect(client.received.filter((m) => m.type === 'error')).toHaveLength(frames.length + 1);
    client.close();
  });

  it('SP-W3 a flood gets rate_limited, then closes that socket with flood (4008); others are served', async () => {
    // Its own service with a low limit, so the flood outruns the bucket's refill.
    const strict = await startService({
      transport,
      env: { WS_MESSAGES_PER_SECOND: '20', WS_MESSAGE_BURST: '20' },
    });
    try {
      const other = await strict.visitor();
      await other.hello();
      const flooder = await strict.visitor();
      await flooder.hello();
      const frame = json({ type: 'cancel' });
      for (let i = 0; i < 500; i += 1) flooder.sendRaw(frame);
      expect(await flooder.closedWithin(10_000)).toEqual({ code: 4008, reason: 'flood' });
      const codes = flooder.received.flatMap((m) => (m.type === 'error' ? [m.code] : []));
      // Frames within the burst were served, the first excess was told, the flood closed.
      expect(codes.filter((code) => code === 'no_request').length).toBeGreaterThan(0);
      expect(codes.filter((code) => code === 'rate_limited')).toHaveLength(1);
      expect(codes.at(-1)).toBe('flood');
      other.send({ type: 'cancel' });
      expect((await other.next('error')).code).toBe('no_request');
    } finally {
      await strict.close();
    }
    await bystanderIsServed();
  });
});
