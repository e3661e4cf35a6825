/**
 * HMAC-SHA256 signatures under a secret that can be rotated: new signatures use the current key; a signature made
 * with the previous key (the `…_PREVIOUS` variable of a rotation) still verifies. Used by the relay's capability
 * URLs (RELAY_URL_SECRET) and the catalogs' pagination cursors (CATALOGS_CURSOR_SECRET). Compared in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface HmacKeyring {
  /** The signature of `data` with the current key (its first `bytes` bytes). */
  sign(data: string): Buffer;
  /** Whether `signature` is that of `data` under the current or the previous key. */
  verify(data: string, signature: Buffer): boolean;
}

/**
 * `secret` unset: a random key of this process (signatures die with it). `previousSecret`: the secret `secret`
 * replaced. `bytes`: how much of the 32-byte HMAC a signature keeps.
 */
export function createHmacKeyring(secret: string | undefined, previousSecret?: string, bytes = 32): HmacKeyring {
  const current = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const previous = previousSecret === undefined ? undefined : Buffer.from(previousSecret, 'utf8');
  const mac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest().subarray(0, bytes);
  const matches = (key: Buffer, data: string, signature: Buffer) => {
    const expected = mac(key, data);
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  };
  return {
    sign: (data) => mac(current, data),
    verify: (data, signature) => matches(current, data, signature) || (previous !== undefined && matches(previous, data, signature)),
  };
}
