/**
 * Signed helper lines (protocol/CHAT.md CH-V1–CH-V5): each staff session holds a signing key
 * pair (WebCrypto Ed25519, or ECDSA P-256 where Ed25519 is missing), binds its public
 * key with its client id (SPEC.md SP-P6), and signs every message it writes over the chat
 * id, the message id, `seq`, kind, body and time. A helper who takes over a chat checks
 * the earlier lines the visitor kept against the key bound to each line's client id:
 * only a valid signature makes a line the helper's.
 */
import type { BoundKey, SigningKey } from '../shared-messages.ts';
import type { MessageEntry } from './chat-schema.ts';

export type SigningAlg = SigningKey['alg'];

/** What a staff session signs with: its public key as bound, and the private key. */
export type MessageSigner = {
  readonly publicKey: SigningKey;
  sign(chatId: string, id: string, entry: SignedFields): Promise<string>;
};

export type SignedFields = Pick<MessageEntry, 'seq' | 'kind' | 'body' | 'at'>;

const ALGORITHMS = {
  Ed25519: { key: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
  'ECDSA-P256': {
    key: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
} as const;

/** CH-V2: the bytes signed, one JSON array with a purpose tag, so nothing else can be replayed. */
export function signedBytes(
  chatId: string,
  id: string,
  entry: SignedFields,
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    JSON.stringify([
      'peerdesk-message-v1',
      chatId,
      id,
      entry.seq,
      entry.kind,
      entry.body,
      entry.at,
    ]),
  );
}

/** CH-V1: a new key pair, Ed25519 when the platform has it. The private key is not extractable. */
export async function generateSigningKeys(
  subtle: SubtleCrypto = globalThis.crypto.subtle,
  prefer: readonly SigningAlg[] = ['Ed25519', 'ECDSA-P256'],
): Promise<{ alg: SigningAlg; keys: CryptoKeyPair }> {
  let last: unknown;
  for (const alg of prefer) {
    try {
      const keys = (await subtle.generateKey(ALGORITHMS[alg].key, false, [
        'sign',
        'verify',
      ])) as CryptoKeyPair;
      return { alg, keys };
    } catch (error) {
      last = error;
    }
  }
  throw last instanceof Error ? last : new Error('no signing algorithm available');
}

/** The signer of a key pair made by generateSigningKeys (or restored from a store). */
export async function messageSigner(
  alg: SigningAlg,
  keys: CryptoKeyPair,
  subtle: SubtleCrypto = globalThis.crypto.subtle,
): Promise<MessageSigner> {
  const raw = new Uint8Array(await subtle.exportKey('raw', keys.publicKey));
  return {
    publicKey: { alg, key: toBase64Url(raw) },
    async sign(chatId, id, entry) {
      const bytes = signedBytes(chatId, id, entry);
      const sig = await subtle.sign(ALGORITHMS[alg].sign, keys.privateKey, bytes);
      return toBase64Url(new Uint8Array(sig));
    },
  };
}

/** CH-V3: whether `sig` is `key`'s signature of the line. Any malformed input is simply false. */
export async function verifyLine(
  key: Pick<BoundKey, 'alg' | 'key'>,
  chatId: string,
  id: string,
  entry: SignedFields & { sig?: string | undefined },
  subtle: SubtleCrypto = globalThis.crypto.subtle,
): Promise<boolean> {
  if (entry.sig === undefined) return false;
  try {
    const publicKey = await subtle.importKey(
      'raw',
      fromBase64Url(key.key),
      ALGORITHMS[key.alg].key,
      false,
      ['verify'],
    );
    return await subtle.verify(
      ALGORITHMS[key.alg].sign,
      publicKey,
      fromBase64Url(entry.sig),
      signedBytes(chatId, id, entry),
    );
  } catch {
    return false;
  }
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
