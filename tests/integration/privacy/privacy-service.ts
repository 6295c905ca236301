/**
 * What the privacy and abuse tests (visitor-export, forget-visitor, and
 * security/max-connections) set up the same way: the real service in demo mode,
 * believing 127.0.0.1 as a proxy so each visitor can come from an IP of the test's
 * choosing, and a visitor who says hello and asks for a chat.
 *
 * Exports: `startPrivacyService(options)`, `requestChat(service, visit)`.
 */
import type { ServiceToVisitor } from '../../../protocol/index.ts';
import { startService, type Service, type TransportName, type VisitorClient } from '../harness.ts';

/** A demo service on `transport` (ws unless told), X-Forwarded-For believed from 127.0.0.1. */
export function startPrivacyService(
  options: { transport?: TransportName; env?: Record<string, string> } = {},
): Promise<Service> {
  return startService({
    transport: options.transport ?? 'ws',
    demo: true,
    env: { TRUSTED_PROXIES: '127.0.0.1', ...options.env },
  });
}

export type Visit = {
  name: string;
  email: string;
  question: string;
  /** The client IP the service sees (X-Forwarded-For); the loopback one when unset. */
  ip?: string;
  /** A returning visitor's token; a first visit when unset. */
  token?: string;
};

/** A visitor who connects, is welcomed and asks for a chat in the general department. */
export async function requestChat(
  service: Service,
  visit: Visit,
): Promise<{
  visitor: VisitorClient;
  welcome: Extract<ServiceToVisitor, { type: 'welcome' }>;
}> {
  const visitor = await service.visitor(
    visit.ip === undefined ? {} : { headers: { 'x-forwarded-for': visit.ip } },
  );
  const welcome = await visitor.hello(
    visit.token === undefined ? { landingPage: 'https://help.example/' } : { token: visit.token },
  );
  visitor.send({
    type: 'request',
    name: visit.name,
    email: visit.email,
    department: 'general',
    question: visit.question,
    page: { url: 'https://help.example/', title: 'Help' },
    browser: { userAgent: 'Mozilla/5.0 Test', language: 'en-GB' },
    sessionStartedAt: Date.now() - 1000,
    landingPage: 'https://help.example/',
  });
  return { visitor, welcome };
}
