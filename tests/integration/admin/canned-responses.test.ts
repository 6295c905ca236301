/**
 * Canned responses over HTTP against the real service (SPEC.md SP-CN1–SP-CN6): the demo's
 * starter set, Personal responses that only their owner sees and changes, suggestions
 * an admin accepts (edited) or declines, strict bodies. Who may call each route is in
 * admin-permissions.test.ts (every route × every role).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, type CannedResponse } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { ADMIN_NICKNAME, ADMIN_PASSWORD, startService, type Service } from '../harness.ts';
import { call } from './admin-client.ts';

describe('canned responses', () => {
  let service: Service;
  const tokens = new Map<string, string>();
  const token = (nickname: string) => tokens.get(nickname) ?? null;
  const list = async (nickname: string) =>
    (await call(service, token(nickname), 'GET', '/api/canned')).body[
      'responses'
    ] as CannedResponse[];

  beforeAll(async () => {
    service = await startService({ transport: 'ws', demo: true });
    for (const nickname of ['alice', 'bob', 'tina', 'molly']) {
      tokens.set(nickname, await service.signIn(nickname, DEMO_PASSWORD));
    }
    tokens.set(ADMIN_NICKNAME, await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD));
  });
  afterAll(async () => {
    await service.close();
  });

  it('SP-CN1 demo mode starts with Global responses in the seed categories, Following up among them', async () => {
    const responses = await list('alice');
    expect(responses.length).toBeGreaterThan(5);
    expect(responses.every((r) => r.scope === 'global')).toBe(true);
    expect(responses.some((r) => r.category === 'Following up')).toBe(true);
    expect(responses.some((r) => r.body.includes('{visitor}'))).toBe(true);
  });

  it('SP-CN2 a Personal response is its owner’s alone: others neither see nor change it', async () => {
    const created = await call(service, token('alice'), 'POST', '/api/canned/personal', {
      category: 'Troubleshooting',
      title: 'My safe mode line',
      body: 'Hi {visitor}, try safe mode please.',
    });
    expect(created.status).toBe(201);
    const id = (created.body['response'] as CannedResponse).id;
    expect((await list('alice')).find((r) => r.id === id)?.scope).toBe('personal');
    expect((await list('bob')).some((r) => r.id === id)).toBe(false);
    const edit = { category: 'Troubleshooting', title: 'Stolen', body: 'x' };
    expect(
      (await call(service, token('bob'), 'PUT', `/api/canned/personal/${id}`, edit)).status,
    ).toBe(404);
    expect(
      (await call(service, token('bob'), 'POST', `/api/canned/personal/${id}/delete`, {})).status,
    ).toBe(404);
    // Nor is a Global one anyone's Personal one to change.
    const global = (await list('alice')).find((r) => r.scope === 'global')!;
    expect(
      (await call(service, token('alice'), 'PUT', `/api/canned/personal/${global.id}`, edit))
        .status,
    ).toBe(404);
    const renamed = await call(service, token('alice'), 'PUT', `/api/canned/personal/${id}`, {
      category: 'Common issues',
      title: 'Safe mode',
      body: 'Try safe mode, {visitor}.',
    });
    expect(renamed.status).toBe(200);
    expect((await list('alice')).find((r) => r.id === id)).toMatchObject({ title: 'Safe mode' });
    await call(service, token('alice'), 'POST', `/api/canned/personal/${id}/delete`, {});
    expect((await list('alice')).some((r) => r.id === id)).toBe(false);
  });

  it('SP-CN4 SP-CN5 a suggestion accepted with edits is Global for everyone; a declined one is not', async () => {
    const suggestion = {
      category: 'Common issues',
      title: 'Video will not play',
      body: 'Try turning off hardware acceleration, {visitor}.',
    };
    const made = await call(service, token('bob'), 'POST', '/api/canned/suggestions', suggestion);
    expect(made.status).toBe(201);
    const other = await call(service, token('molly'), 'POST', '/api/canned/suggestions', {
      ...suggestion,
      title: 'Not needed',
    });
    const pending = await call(
      service,
      token(ADMIN_NICKNAME),
      'GET',
      '/api/admin/canned/suggestions',
    );
    const titles = (
      pending.body['suggestions'] as { title: string; by: { nickname: string } }[]
    ).map((s) => `${s.by.nickname}: ${s.title}`);
    expect(titles).toEqual(['bob: Video will not play', 'molly: Not needed']);
    const accepted = await call(
      service,
      token(ADMIN_NICKNAME),
      'POST',
      `/api/admin/canned/suggestions/${made.body['id'] as string}/accept`,
      { title: 'Videos do not play' },
    );
    expect(accepted.status).toBe(200);
    await call(
      service,
      token(ADMIN_NICKNAME),
      'POST',
      `/api/admin/canned/suggestions/${other.body['id'] as string}/decline`,
      {},
    );
    const seen = await list('tina');
    expect(seen.find((r) => r.title === 'Videos do not play')).toMatchObject({
      scope: 'global',
      category: 'Common issues',
      body: suggestion.body,
    });
    expect(seen.some((r) => r.title === 'Not needed')).toBe(false);
    // Decided once: a second decision is refused.
    const again = await call(
      service,
      token(ADMIN_NICKNAME),
      'POST',
      `/api/admin/canned/suggestions/${made.body['id'] as string}/decline`,
      {},
    );
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'unknown_suggestion' } } });
  });

  it('SP-CN1 SP-A8 admins curate Global responses: add, change, delete, each audited; a Personal one is not theirs to reach', async () => {
    const admin = token(ADMIN_NICKNAME);
    const made = await call(service, admin, 'POST', '/api/admin/canned/global', {
      category: 'Resources',
      title: 'Release notes',
      body: 'The release notes list what changed, {visitor}.',
    });
    expect(made.status).toBe(201);
    const id = (made.body['response'] as CannedResponse).id;
    expect((await list('bob')).find((r) => r.id === id)).toMatchObject({ scope: 'global' });
    const changed = await call(service, admin, 'PUT', `/api/admin/canned/global/${id}`, {
      category: 'Resources',
      title: 'What changed',
      body: 'The release notes list what changed.',
    });
    expect(changed.status).toBe(200);
    expect((await list('bob')).find((r) => r.id === id)).toMatchObject({ title: 'What changed' });
    const removed = await call(service, admin, 'POST', `/api/admin/canned/global/${id}/delete`, {});
    expect(removed.status).toBe(200);
    expect((await list('bob')).some((r) => r.id === id)).toBe(false);
    const again = await call(service, admin, 'POST', `/api/admin/canned/global/${id}/delete`, {});
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'unknown_response' } } });

    const actions = (
      (await call(service, admin, 'GET', '/api/admin/audit?limit=100')).body['entries'] as {
        action: string;
        target: string;
      }[]
    )
      .filter((e) => e.target === id)
      .map((e) => e.action);
    expect(actions.sort()).toEqual(['canned.create', 'canned.delete', 'canned.update']);

    // A helper's Personal response is not a Global one for the admin to change.
    const personal = await call(service, token('bob'), 'POST', '/api/canned/personal', {
      category: 'Tags',
      title: 'mine',
      body: 'Bob’s own.',
    });
    const personalId = (personal.body['response'] as CannedResponse).id;
    const edit = { category: 'Tags', title: 'taken', body: 'x' };
    expect(
      (await call(service, admin, 'PUT', `/api/admin/canned/global/${personalId}`, edit)).status,
    ).toBe(404);
    expect(
      (await call(service, admin, 'POST', `/api/admin/canned/global/${personalId}/delete`, {}))
        .status,
    ).toBe(404);
    expect((await list('bob')).find((r) => r.id === personalId)).toMatchObject({ title: 'mine' });
    await call(service, token('bob'), 'POST', `/api/canned/personal/${personalId}/delete`, {});
  });

  it('SP-CN6 SP-A1 bodies are strict: unknown categories and fields, empty or over-long text', async () => {
    const bad = [
      { category: 'Jokes', title: 't', body: 'b' },
      { category: 'Tags', title: 't', body: 'b', owner: 'alice' },
      { category: 'Tags', title: '  ', body: 'b' },
      { category: 'Tags', title: 't', body: 'b'.repeat(LIMITS.maxCannedBodyLength + 1) },
      { category: 'Tags', title: 't'.repeat(LIMITS.maxCannedTitleLength + 1), body: 'b' },
    ];
    for (const body of bad) {
      const answer = await call(service, token('alice'), 'POST', '/api/canned/personal', body);
      expect(answer, JSON.stringify(body).slice(0, 80)).toMatchObject({
        status: 400,
        body: { error: { code: 'bad_frame' } },
      });
    }
    expect((await list('alice')).every((r) => r.scope === 'global')).toBe(true);
  });
});
