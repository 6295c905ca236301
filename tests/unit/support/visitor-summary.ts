/** The visitor the console's unit tests offer, accept and watch: Vera, asking for help. */
import type { VisitorSummary } from '../../../protocol/index.ts';

export const VERA: VisitorSummary = {
  visitorId: 'v1',
  name: 'Vera',
  email: null,
  department: 'general',
  question: 'Help?',
  page: { url: 'https://example.test/', title: 'Home' },
  browser: { userAgent: 'UA', language: 'en' },
  ip: '127.0.0.1',
  sessionStartedAt: 1,
  landingPage: 'https://example.test/',
  firstVisitAt: 1,
  firstLandingPage: 'https://example.test/',
  requestedAt: 2,
};
