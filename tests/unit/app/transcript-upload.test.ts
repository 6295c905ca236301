/**
 * The console's archive upload (SPEC.md SP-U1, SP-U3, SP-U9, SP-U10) against a fake service: the
 * final document goes with the copies of the earlier conversation the helper holds
 * after a requeue, `chat_not_ended` is retried, `already_archived` counts as done, and
 * a service that keeps nothing is sent nothing.
 */
import { describe, expect, it } from 'vitest';
import { uploadTranscript } from '../../../app/lib/archive/transcript-upload.ts';

type Call = { path: string; body: Record<string, unknown> | null };

function fakeService(answers: { status: number; body: unknown }[], retentionDays = 30) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = String(input);
    const body =
      typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : null;
    calls.push({ path, body });
    if (path === '/api/archive/policy') {
      return Response.json({ fileBytes: 0, retentionDays });
    }
    const next = answers.shift() ?? { status: 500, body: {} };
    return Response.json(next.body, { status: next.status });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const uploaded = { status: 201, body: { chatId: 'c1', messages: 3, files: 0, stored: true } };
const refused = (code: string, status: number) => ({
  status,
  body: { error: { code, message: `said ${code}` } },
});
const noWait = async () => {};

describe('transcript upload', () => {
  it('SP-U10 sends the earlier copies beside the final document, as base64', async () => {
    const service = fakeService([uploaded]);
    const outcome = await uploadTranscript(
      { token: 't', fetch: service.fetch, wait: noWait },
      'c1',
      new Uint8Array([1, 2, 3]),
      [],
      [new Uint8Array([4, 5]), new Uint8Array([6])],
    );
    expect(outcome).toEqual({ ok: true, stored: true });
    const post = service.calls.find((c) => c.path === '/api/archive/c1');
    expect(post?.body).toEqual({ update: 'AQID', earlier: ['BAU=', 'Bg=='] });
  });

  it('SP-U10 a chat with no earlier copy sends no earlier field', async () => {
    const service = fakeService([uploaded]);
    await uploadTranscript(
      { token: 't', fetch: service.fetch, wait: noWait },
      'c1',
      new Uint8Array([1]),
      [],
    );
    expect(service.calls.find((c) => c.path === '/api/archive/c1')?.body).toEqual({
      update: 'AQ==',
    });
  });

  it('SP-U1 SP-U3 retries while the chat has not ended at the service, and another helper’s upload counts as done', async () => {
    const service = fakeService([
      refused('chat_not_ended', 409),
      refused('chat_not_ended', 409),
      refused('already_archived', 409),
    ]);
    const outcome = await uploadTranscript(
      { token: 't', fetch: service.fetch, wait: noWait },
      'c1',
      new Uint8Array([1]),
      [],
    );
    expect(outcome).toEqual({ ok: true, stored: true });
    expect(service.calls.filter((c) => c.path === '/api/archive/c1')).toHaveLength(3);
  });

  it('SP-U2 a refusal is reported with its code and message, not retried', async () => {
    const service = fakeService([refused('forged_authorship', 422)]);
    const outcome = await uploadTranscript(
      { token: 't', fetch: service.fetch, wait: noWait },
      'c1',
      new Uint8Array([1]),
      [],
    );
    expect(outcome).toEqual({
      ok: false,
      code: 'forged_authorship',
      message: 'said forged_authorship',
    });
    expect(service.calls.filter((c) => c.path === '/api/archive/c1')).toHaveLength(1);
  });

  it('SP-U9 a service that keeps no transcripts is sent none', async () => {
    const service = fakeService([], 0);
    const outcome = await uploadTranscript(
      { token: 't', fetch: service.fetch, wait: noWait },
      'c1',
      new Uint8Array([1]),
      [],
    );
    expect(outcome).toEqual({ ok: true, stored: false });
    expect(service.calls.map((c) => c.path)).toEqual(['/api/archive/policy']);
  });
});
