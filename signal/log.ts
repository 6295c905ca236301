/**
 * Structured logs (pino). Tokens, sessions, passwords and authorization headers are
 * redacted wherever they appear as fields, up to three levels deep; never put a
 * secret into a log message string, where no redaction can see it.
 *
 * Exports:
 * - `createLogger({ level, destination?, name? })` → pino `Logger`.
 * - `REDACTED_KEYS`, `REDACT_PATHS`: what is redacted.
 * - `Logger` type (re-exported from pino).
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/** Field names whose values are secrets (compared as written; pino paths are exact). */
export const REDACTED_KEYS = [
  'token',
  'tokens',
  'session',
  'sessionToken',
  'tokenHash',
  'password',
  'passwordHash',
  'adminPassword',
  'authorization',
  'Authorization',
  'cookie',
  'secret',
  'credential',
] as const;

/** pino's redaction takes explicit paths; wildcards cover nested objects such as
 * `req.headers.authorization` or `{ user: { password } }`. */
export const REDACT_PATHS: string[] = REDACTED_KEYS.flatMap((key) => [
  key,
  `*.${key}`,
  `*.*.${key}`,
  `*.*.*.${key}`,
]);

export type LoggerOptions = {
  level: LogLevel;
  /** Where lines go; stdout when absent. Tests pass a stream to read them. */
  destination?: DestinationStream;
  name?: string;
};

export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    name: options.name ?? 'peerdesk',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Errors keep their message and stack; anything else passes as given.
    serializers: { err: pino.stdSerializers.err },
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
