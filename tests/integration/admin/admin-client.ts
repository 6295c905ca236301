/**
 * A small typed caller of the HTTP admin API for the integration tests, and the
 * chat request the tests' visitors send.
 */
import type { VisitorToService } from '../../../protocol/index.ts';
import type { Service } from '../harness.ts';

export type Answer = {
  status: number;
  body: Record<string, unknown> & { error?: { code: string } };
};

export async function call(
  service: Service,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  raw?: string,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers,
    ...(raw !== undefined
      ? { body: raw }
      : body !== undefined
        ? { body: JSON.stringify(body) }
        : {}),
  });
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) {
    return { status: res.status, body: { text } };
  }
  return { status: res.status, body: JSON.parse(text) as Answer['body'] };
}

export function chatRequest(
  name: string,
  department = 'general',
): Extract<VisitorToService, { type: 'request' }> {
  return {
    type: 'request',
    name,
    email: '',
    department,
    question: 'Where did my bookmarks go?',
    page: { url: 'https://help.example/bookmarks', title: 'Bookmarks' },
    browser: { userAgent: 'Mozilla/5.0 Test', language: 'en' },
    sessionStartedAt: Date.now() - 1000,
    landingPage: 'https://help.example/',
  };
}
