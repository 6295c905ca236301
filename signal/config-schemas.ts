/**
 * The parsers the configuration's variables go through (signal/config-table.ts): a
 * string in, a typed value or an issue saying what is wrong out.
 */
import * as v from 'valibot';
import { isIP } from 'node:net';
import { IceServer, LIMITS } from '../protocol/index.ts';

export const integer = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^-?\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

export const milliseconds = integer(0, 24 * 60 * 60 * 1000);

export const boolean = v.pipe(
  v.string(),
  v.toLowerCase(),
  v.picklist(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'),
  v.transform((s) => s === 'true' || s === '1' || s === 'yes'),
);

export const commaList = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ),
);

function parseOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    // An origin has no path, query or credentials; a trailing "/" is tolerated.
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
      return null;
    }
    return url.origin;
  } catch {
    return null;
  }
}

export const origin = v.pipe(
  v.string(),
  v.check((s) => parseOrigin(s) !== null, 'must be an origin such as https://chat.example.org'),
  v.transform((s) => parseOrigin(s) ?? s),
);

export const originList = v.pipe(
  commaList,
  v.check(
    (list) => list.every((item) => parseOrigin(item) !== null),
    'must be origins such as https://help.example.org, separated by commas',
  ),
  v.transform((list) => list.map((item) => parseOrigin(item) ?? item)),
);

/** An IP address, or a CIDR block with a prefix length that fits its family. */
export function isIpOrCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash === -1) return isIP(text) !== 0;
  const family = isIP(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export const proxyList = v.pipe(
  commaList,
  v.check((list) => list.every(isIpOrCidr), 'must be IPs or CIDRs separated by commas'),
);

export const iceServers = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return JSON.parse(dataset.value) as unknown;
    } catch {
      addIssue({ message: 'must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]' });
      return NEVER;
    }
  }),
  v.array(IceServer, 'must be a JSON array of {urls, username?, credential?}'),
);

export const turnUrls = v.pipe(
  commaList,
  v.check(
    (list) => list.every((url) => /^turns?:/.test(url)),
    'must be turn: or turns: URLs separated by commas',
  ),
);

export const nickname = v.pipe(
  v.string(),
  v.maxLength(LIMITS.maxNicknameLength, `must be at most ${LIMITS.maxNicknameLength} characters`),
  v.regex(/^[\p{L}\p{N}_.-]+$/u, 'must be letters, digits, _ . - only'),
);

/** A value that may be absent: empty text is null, anything else goes through `inner`
 * (its first issue is the variable's). */
export function orNull<T>(inner: v.GenericSchema<string, T>) {
  return v.pipe(
    v.string(),
    v.rawTransform<string, T | null>(({ dataset, addIssue, NEVER }) => {
      if (dataset.value === '') return null;
      const result = v.safeParse(inner, dataset.value);
      if (result.success) return result.output;
      addIssue({ message: result.issues[0].message });
      return NEVER;
    }),
  );
}
