/**
 * The malformed-frame corpus against the real service, on both transports: every
 * frame gets a typed error (and the socket keeps being served) or a clean close of
 * that socket only, while a bystander on another socket keeps being answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, PROTOCOL_VERSION, type ErrorCode } from '../../protocol/index.ts';
import {
  ADMIN_NICKNAME,
  ADMIN_PASSWORD,
  startService,
  type Service,
  type StaffClient,
  type VisitorClient,
} from './harness.ts';

type Frame = string | { binary: Buffer } | { invalidUtf8: Buffer };

type Case = {
  name: string;
  endpoint?: 'visitor' | 'staff';
  /** Send the frame before hello (default: after a successful hello). */
  beforeHello?: boolean;
  frame: Frame;
} & ({ error: ErrorCode; ref?: string | null } | { close: readonly number[]; error?: ErrorCode });

const json = (value: unknown): string => JSON.stringify(value);
const V = PROTOCOL_VERSION;

const CORPUS: Case[] = [
  { name: 'SP-W1 not JSON', frame: '{"type":', error: 'bad_frame', ref: null },
  { name: 'SP-W1 empty text frame', frame: '', error: 'bad_frame', ref: null },
  { name: 'SP-W1 JSON array', frame: '[{"type":"cancel"}]', error: 'bad_frame', ref: null },
  { name: 'SP-W1 JSON number', frame: '42', error: 'bad_frame', ref: null },
  { name: 'SP-W1 JSON string', frame: '"cancel"', error: 'bad_frame', ref: null },
  { name: 'SP-W1 JSON null', frame: 'null', error: 'bad_frame', ref: null },
  { name: 'SP-W1 object without type', frame: '{}', error: 'unknown_type', ref: null },
  {
    name: 'SP-W1 type of the wrong type',
    frame: json({ type: 5 }),
    error: 'unknown_type',
    ref: null,
  },
  {
    name: 'SP-W1 unknown type',
    frame: json({ type: 'nonsense' }),
    error: 'unknown_type',
    ref: 'nonsense',
  },
  {
    name: 'SP-W1 SP-E2 an over-long unknown type is cut in ref',
    frame: json({ type: 'x'.repeat(500) }),
    error: 'unknown_type',
    ref: 'x'.repeat(40),
  },
  {
    name: 'SP-W1 a staff message on the visitor endpoint',
    frame: json({ type: 'accept', chatId: 'c1' }),
    error: 'unknown_type',
    ref: 'accept',
  },
  {
    name: 'SP-W1 wrong field type',
    frame: json({ type: 'end', chatId: 5 }),
    error: 'bad_frame',
    ref: 'end',
  },
  {
    name: 'SP-W1 missing field',
    frame: json({ type: 'end' }),
    error: 'bad_frame',
    ref: 'end',
  },
  {
    name: 'SP-W1 extra field',
    frame: json({ type: 'cancel', admin: true }),
    error: 'bad_frame',
    ref: 'cancel',
  },
  {
    name: 'SP-W1 __proto__ key',
    frame: '{"type":"cancel","__proto__":{"admin":true}}',
    error: 'bad_frame',
    ref: 'cancel',
  },
  {
    name: 'SP-W1 type hidden in __proto__',
    frame: '{"__proto__":{"type":"cancel"}}',
    error: 'unknown_type',
    ref: null,
  },
  {
    name: 'SP-W1 constructor key',
    frame: '{"type":"cancel","constructor":{"prototype":{"admin":true}}}',
    error: 'bad_frame',
    ref: 'cancel',
  },
  {
    name: 'SP-W1 nested __proto__ in a field',
    frame: '{"type":"bind","chatId":"c1","clientId":{"__proto__":{"valueOf":1}}}',
    error: 'bad_frame',
    ref: 'bind',
  },
  {
    name: 'SP-W1 huge number 1e400 (Infinity)',
    frame: '{"type":"bind","chatId":"c1","clientId":1e400}',
    error: 'bad_frame',
    ref: 'bind',
  },
  {
    name: 'SP-W1 unsafe integer 2**60',
    frame: `{"type":"bind","chatId":"c1","clientId":${2 ** 60}}`,
    error: 'bad_frame',
    ref: 'bind',
  },
  {
    name: 'SP-W1 negative and fractional numbers',
    frame: '{"type":"bind","chatId":"c1","clientId":-1.5}',
    error: 'bad_frame',
    ref: 'bind',
  },
  {
    name: 'SP-W1 over-long string',
    frame: json({ type: 'end', chatId: 'c'.repeat(LIMITS.maxIdLength + 1) }),
    error: 'bad_frame',
    ref: 'end',
  },
  {
    name: 'SP-W1 over-long question in a request',
    frame: json({
      type: 'request',
      name: 'Ann',
      department: 'general',
      question: 'q'.repeat(LIMITS.maxQuestionLength + 1),
      page: { url: 'https://x', title: 't' },
      browser: { userAgent: 'ua', language: 'en' },
    }),
    error: 'bad_frame',
    ref: 'request',
  },
  {
    name: 'SP-W1 deeply nested JSON',
    frame: `{"type":"cancel","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    error: 'bad_frame',
    ref: 'cancel',
  },
  {
    name: 'SP-W2 binary frame',
    frame: { binary: Buffer.from([1, 2, 3]) },
    error: 'bad_frame',
    ref: null,
  },
  {
    name: 'SP-W2 frame just over the limit closes with 1009',
    frame: json({ type: 'cancel', pad: 'p'.repeat(LIMITS.maxFrameBytes) }),
    close: [1009],
  },
  {
    // uWS drops the TCP connection (1006) for frames far beyond its hard limit.
    name: 'SP-W2 a 1 MiB frame closes the socket',
    frame: 'x'.repeat(1024 * 1024),
    close: [1006, 1009],
  },
  {
    name: 'SP-W3 invalid UTF-8 in a text frame closes the socket',
    frame: { invalidUtf8: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
    close: [1006, 1007],
  },
  {
    name: 'SP-E1 a request before hello closes with hello_required (4003)',
    beforeHello: true,
    frame: json({ type: 'cancel' }),
    error: 'hello_required',
    close: [4003],
  },
  {
    name: 'SP-W1 garbage before hello is refused and hello still works',
    beforeHello: true,
    frame: 'not json at all',
    error: 'bad_frame',
    ref: null,
  },
  {
    name: 'SP-H1 an unsupported version closes with bad_version (4002)',
    beforeHello: true,
    frame: json({ type: 'hello', v: V + 1 }),
    error: 'bad_version',
    close: [4002],
  },
  {
    name: 'SP-H1 a version of 1e400 is a bad frame',
    beforeHello: true,
    frame: '{"type":"hello","v":1e400}',
    error: 'bad_frame',
    ref: 'hello',
  },
  {
    name: 'SP-H2 a second hello is refused with already_hello',
    frame: json({ type: 'hello', v: V }),
    error: 'already_hello',
    ref: 'hello',
  },
  {
    name: 'SP-H3 a staff hello with a forged session closes with unauthorized (4001)',
    endpoint: 'staff',
    beforeHello: true,
    frame: json({ type: 'hello', v: V, session: 'A'.repeat(43) }),
    error: 'unauthorized',
    close: [4001],
  },
  {
    name: 'SP-H3 a staff hello with a session of the wrong type is a bad frame',
    endpoint: 'staff',
    beforeHello: true,
    frame: json({ type: 'hello', v: V, session: 12345 }),
    error: 'bad_frame',
    ref: 'hello',
  },
  {
    name: 'SP-W1 a visitor message on the staff endpoint',
    endpoint: 'staff',
    frame: json({ type: 'leave_message', name: 'a', department: 'd', message: 'm' }),
    error: 'unknown_type',
    ref: 'leave_message',
  },
];

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
