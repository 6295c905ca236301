/**
 * SPEC.md SP-TK9: the follow-up routes' per-IP limit is the setting
 * FOLLOW_UP_REQUESTS_PER_MINUTE (its default, 60, is proven in ticket-api.test.ts):
 * with 3, the fourth request of one client IP in the minute is refused with 429
 * `rate_limited` and a Retry-After, while another IP is still served.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startService, type Service } from '../harness.ts';

let service: Service;

beforeAll(async () => {
  service = await startService({
    transport: 'ws',
    env: { TRUSTED_PROXIES: '127.0.0.1', FOLLOW_UP_REQUESTS_PER_MINUTE: '3' },
  });
});
afterAll(async () => {
  await service.close();
});

async function read(ip: string) {
  const res = await fetch(`${service.baseUrl}/api/follow-up`, {
    headers: { authorization: `FollowUp ${'C'.repeat(43)}`, 'x-forwarded-for': ip },
  });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') };
}

it('SP-TK9: FOLLOW_UP_REQUESTS_PER_MINUTE sets the per-IP limit of the follow-up routes', async () => {
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await read('203.0.113.80'));
  expect(answers.slice(0, 3).map((a) => a.code)).toEqual([
    'unknown_ticket',
    'unknown_ticket',
    'unknown_ticket',
  ]);
  expect(answers[3]).toMatchObject({ status: 429, code: 'rate_limited' });
  expect(Number(answers[3]!.retryAfter)).toBeGreaterThan(0);
  expect((await read('203.0.113.81')).code).toBe('unknown_ticket');
});
