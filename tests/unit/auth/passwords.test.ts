import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT_PARAMS,
  FAST_SCRYPT_PARAMS,
  dummyHash,
  hashPassword,
  verifyPassword,
} from '../../../signal/auth/passwords.ts';

describe('passwords', () => {
  it('a right password verifies and a wrong one fails', async () => {
    const hash = await hashPassword('correct horse', FAST_SCRYPT_PARAMS);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash and encodes its parameters', async () => {
    const a = await hashPassword('same', FAST_SCRYPT_PARAMS);
    const b = await hashPassword('same', FAST_SCRYPT_PARAMS);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  it('uses the default cost unless told otherwise', async () => {
    const hash = await hashPassword('pw');
    expect(hash.startsWith(`scrypt$${DEFAULT_SCRYPT_PARAMS.logN}$8$1$`)).toBe(true);
    expect(await verifyPassword('pw', hash)).toBe(true);
  });

  it('a malformed or tampered hash fails without throwing', async () => {
    const hash = await hashPassword('pw', FAST_SCRYPT_PARAMS);
    const parts = hash.split('$');
    const cases = [
      '',
      'plain',
      'bcrypt$10$8$1$salt$key',
      hash.replace('scrypt$10', 'scrypt$40'), // absurd cost is refused, not computed
      hash.replace('scrypt$10', 'scrypt$x'),
      [...parts.slice(0, 5), 'short'].join('$'),
      [...parts.slice(0, 4), 'AAAAAAAAAAAAAAAAAAAAAA', parts[5]].join('$'),
      `${hash}$extra`,
    ];
    for (const encoded of cases) expect(await verifyPassword('pw', encoded), encoded).toBe(false);
  });

  it('dummy hashes match no password', async () => {
    const hash = await dummyHash(FAST_SCRYPT_PARAMS);
    expect(await verifyPassword('', hash)).toBe(false);
  });
});
