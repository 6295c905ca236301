/**
 * F32 the privacy notice before a chat (SPEC.md SP-PN1–SP-PN3) through the real
 * service: demo mode greets visitors with a notice; an admin changes its text and link
 * on the settings API and the next visitor's welcome carries them; a chat whose
 * request acknowledged it keeps the service's time in its record, the archive's
 * transcript shows it and the visitor's data download has it; a chat without it has
 * none. A service that is not in demo mode and has no notice sends none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { DEMO_PRIVACY_NOTICE } from '../../../signal/config.ts';
import { api, endedChat, staffClient, upload } from '../archive/archive-chat.ts';
import { ADMIN_NICKNAME, ADMIN_PASSWORD, startService, type Service } from '../harness.ts';

let service: Service;

beforeAll(async () => {
  service = await startService({ transport: 'ws', demo: true });
});
afterAll(async () => {
  await service.close();
});

async function welcomeNotice(on: Service) {
  const visitor = await on.visitor();
  const welcome = await visitor.hello();
  visitor.terminate();
  return welcome.privacyNotice;
}

describe('privacy notice before a chat (F32, SP-PN1–SP-PN3)', () => {
  it('SP-PN1 demo mode shows a notice; an admin changes text and link for the next visitor', async () => {
    expect(await welcomeNotice(service)).toEqual({ text: DEMO_PRIVACY_NOTICE, policyUrl: null });

    const admin = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
    const refused = await api(service, 'PUT', '/api/admin/settings', admin, {
      settings: { PRIVACY_POLICY_URL: 'javascript:alert(1)' },
    });
    expect(refused.status).toBe(400);
    const changed = await api(service, 'PUT', '/api/admin/settings', admin, {
      settings: {
        PRIVACY_NOTICE: 'We keep chats for 30 days.',
        PRIVACY_POLICY_URL: 'https://example.org/privacy',
      },
    });
    expect(changed.status).toBe(200);
    expect(await welcomeNotice(service)).toEqual({
      text: 'We keep chats for 30 days.',
      policyUrl: 'https://example.org/privacy',
    });
    // Empty turns it off.
    await api(service, 'PUT', '/api/admin/settings', admin, {
      settings: { PRIVACY_NOTICE: '' },
    });
    expect(await welcomeNotice(service)).toBeNull();
    await api(service, 'PUT', '/api/admin/settings', admin, {
      settings: { PRIVACY_NOTICE: null, PRIVACY_POLICY_URL: null },
    });
    expect(await welcomeNotice(service)).toEqual({ text: DEMO_PRIVACY_NOTICE, policyUrl: null });
  });

  it('SP-PN2 SP-PN3 an acknowledged chat keeps the time in its record, the archive and the download', async () => {
    const alice = await staffClient(service, 'alice');
    const aliceToken = await service.signIn('alice', DEMO_PASSWORD);
    const before = Date.now();
    const acked = await endedChat(
      service,
      alice,
      { visitor: ['hello'], helper: ['hi'] },
      'Pia',
      [],
      { privacyAcknowledged: true },
    );
    const after = Date.now();
    const plain = await endedChat(service, alice, { visitor: ['hey'], helper: ['yo'] }, 'Noa');
    for (const chat of [acked, plain]) {
      expect((await upload(service, aliceToken, chat.chatId, chat.final)).status).toBe(201);
    }
    const shown = await api(service, 'GET', `/api/archive/${acked.chatId}`, aliceToken);
    const at = shown.body['privacyAcknowledgedAt'];
    expect(typeof at).toBe('number');
    expect(at as number).toBeGreaterThanOrEqual(before);
    expect(at as number).toBeLessThanOrEqual(after);
    const none = await api(service, 'GET', `/api/archive/${plain.chatId}`, aliceToken);
    expect(none.status).toBe(200);
    expect(none.body).not.toHaveProperty('privacyAcknowledgedAt');

    // SP-PV9: the visitor's download has it in the chat's details.
    const started = await api(service, 'POST', '/api/follow-up/start', null, {
      visitorToken: acked.visitorToken,
      chatId: acked.chatId,
    });
    const token = /#([A-Za-z0-9_-]{43})$/.exec(String(started.body['path']))![1]!;
    const res = await fetch(`${service.baseUrl}/api/follow-up/export`, {
      headers: { authorization: `FollowUp ${token}` },
    });
    const data = (await res.json()) as { chats: { details: Record<string, unknown> }[] };
    expect(data.chats[0]!.details['privacyAcknowledgedAt']).toBe(at);
    alice.close();
  });

  it('SP-PN1 off by default: a service not in demo mode with no PRIVACY_NOTICE sends none', async () => {
    const plainService = await startService({ transport: 'ws' });
    try {
      expect(await welcomeNotice(plainService)).toBeNull();
    } finally {
      await plainService.close();
    }
  });
});
