/** The real service on both transports: start, sign in, hello on both endpoints. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_NICKNAME, ADMIN_PASSWORD, startService, type Service } from './harness.ts';

describe.each(['uws', 'ws'] as const)('service on %s', (transport) => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ transport });
  });
  afterAll(async () => {
    await service.close();
  });

  it('runs the requested transport and answers /healthz', async () => {
    expect(service.transport).toBe(transport);
    const res = await fetch(`${service.baseUrl}/healthz`);
    expect(res.status).toBe(200);
  });

  it('SP-V1 welcomes a visitor with a signed token that keeps its identity on the next visit', async () => {
    const first = await service.visitor();
    const welcome = await first.hello({ landingPage: 'https://help.example/start' });
    expect(welcome.firstLandingPage).toBe('https://help.example/start');
    first.close();
    const again = await service.visitor();
    const second = await again.hello({
      token: welcome.token,
      landingPage: 'https://help.example/other',
    });
    expect(second.visitorId).toBe(welcome.visitorId);
    expect(second.firstVisitAt).toBe(welcome.firstVisitAt);
  });

  it('SP-H3 welcomes staff with a session from sign-in and closes a forged one with 4001', async () => {
    const token = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
    const staff = await service.staff();
    const welcome = await staff.hello(token);
    expect(welcome.account.nickname).toBe(ADMIN_NICKNAME);
    const forged = await service.staff();
    forged.send({ type: 'hello', v: 1, session: 'x'.repeat(43) });
    expect((await forged.next('error')).code).toBe('unauthorized');
    expect((await forged.closedWithin()).code).toBe(4001);
  });

  it('refuses a WebSocket from a foreign origin with 403', async () => {
    await expect(service.visitor({ headers: { origin: 'https://evil.example' } })).rejects.toThrow(
      /403/,
    );
  });
});

describe.each(['uws', 'ws'] as const)('sessions and hello deadline on %s', (transport) => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ transport, env: { HELLO_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await service.close();
  });

  it('SP-H5 signing out closes that session’s console socket with 4001', async () => {
    const token = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
    const other = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
    const staff = await service.staff();
    await staff.hello(token);
    const res = await fetch(`${service.baseUrl}/api/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${other}` },
    });
    expect(res.status).toBe(204);
    // Another session's sign-out leaves this socket alone: it still answers.
    staff.send({ type: 'set_available', available: false });
    expect((await staff.next('status')).available).toBe(false);
    await fetch(`${service.baseUrl}/api/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await staff.next('error')).code).toBe('unauthorized');
    expect((await staff.closedWithin()).code).toBe(4001);
  });

  it('SP-H4 a socket that never says hello is closed with hello_required (4003)', async () => {
    const silent = await service.visitor();
    expect((await silent.next('error')).code).toBe('hello_required');
    expect((await silent.closedWithin()).code).toBe(4003);
  });
});
