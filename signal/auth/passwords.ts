/**
 * Password hashing with scrypt (node:crypto). The hash string carries its own
 * parameters and salt — `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>` — so the
 * cost can be raised later without breaking stored hashes.
 *
 * Exports:
 * - `hashPassword(password, params?)` → Promise<string>
 * - `verifyPassword(password, encoded)` → Promise<boolean>; false for a malformed hash,
 *   never throws; compares in constant time.
 * - `DEFAULT_SCRYPT_PARAMS`, `FAST_SCRYPT_PARAMS` (tests only), `ScryptParams`.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type ScryptParams = { logN: number; r: number; p: number };

/** N = 2^15, r = 8, p = 1: OWASP's scrypt minimum, about 50 ms and 32 MiB here. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { logN: 15, r: 8, p: 1 };
/** For tests that create many accounts; never for real passwords. */
export const FAST_SCRYPT_PARAMS: ScryptParams = { logN: 10, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// Bounds on what a stored hash may ask for, so a tampered row cannot make a
// sign-in allocate gigabytes or spin for minutes.
const MAX_LOG_N = 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  // scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is just too small for N = 2^15.
  const maxmem = 256 * N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N, r: params.r, p: params.p, maxmem },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params);
  return [
    'scrypt',
    params.logN,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

type Parsed = { params: ScryptParams; salt: Buffer; key: Buffer };

function parse(encoded: string): Parsed | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, logN, r, p, salt, key] = parts;
  const numbers = [logN, r, p].map((part) => (part && /^\d{1,2}$/.test(part) ? Number(part) : NaN));
  const [n0 = NaN, n1 = NaN, n2 = NaN] = numbers;
  if (!(n0 >= 1 && n0 <= MAX_LOG_N && n1 >= 1 && n1 <= MAX_R && n2 >= 1 && n2 <= MAX_P)) {
    return null;
  }
  if (!salt || !key || !/^[\w-]+$/.test(salt) || !/^[\w-]+$/.test(key)) return null;
  const keyBytes = Buffer.from(key, 'base64url');
  if (keyBytes.length !== KEY_LENGTH) return null;
  return {
    params: { logN: n0, r: n1, p: n2 },
    salt: Buffer.from(salt, 'base64url'),
    key: keyBytes,
  };
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded);
  if (parsed === null) return false;
  try {
    const key = await derive(password, parsed.salt, parsed.params);
    return timingSafeEqual(key, parsed.key);
  } catch {
    return false;
  }
}

/** A hash no password matches, for running a comparison when the account does not
 * exist, so a sign-in takes as long for an unknown nickname as for a wrong password. */
export async function dummyHash(params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  return hashPassword(randomBytes(24).toString('base64url'), params);
}
