import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../signal/log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination }) };
}

describe('log', () => {
  it('never writes a token, session, password or authorization header', () => {
    const token = 'tok_QmFzZTY0VG9rZW5UaGF0TXVzdE5ldmVyTGVhaw';
    const { lines, logger } = capture();
    logger.info({ token }, 'signed in');
    logger.info({ session: token, account: { id: 'a1', password: token } }, 'hello');
    logger.warn({ req: { headers: { authorization: `Bearer ${token}` } } }, 'request');
    logger.error({ deep: { er: { msg: { sessionToken: token } } } }, 'nested');
    logger.info({ body: { credential: token, secret: token, adminPassword: token } }, 'config');
    logger.child({ token }).info('child');
    const output = lines.join('');
    expect(lines).toHaveLength(6);
    expect(output).not.toContain(token);
    expect(output).toContain('[redacted]');
    expect(output).toContain('"id":"a1"');
  });

  it('writes JSON lines at the chosen level', () => {
    const { lines, logger } = capture();
    logger.debug({ n: 1 }, 'visible');
    const quiet = createLogger({ level: 'warn', destination: new Writable({ write: () => {} }) });
    expect(quiet.isLevelEnabled('info')).toBe(false);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ msg: 'visible', n: 1, name: 'peerdesk' });
  });
});
