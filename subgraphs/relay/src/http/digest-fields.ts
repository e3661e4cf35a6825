/**
 * Integrity fields of RFC 9530 (Digest Fields): `Repr-Digest` / `Content-Digest: sha-256=:<base64>:`. The relay
 * reads the SHA-256 member (other algorithms are ignored, as the RFC allows) and answers downloads with
 * `Repr-Digest`. Content is never content-coded by the relay, so both fields name the same bytes.
 */

/** The SHA-256 of a digest field as lower-case hex; null when the field has no sha-256 member. Throws on garbage. */
export function sha256FromDigestField(value: string): string | null {
  for (const member of value.split(',')) {
    const match = /^\s*([A-Za-z0-9_-]+)\s*=\s*:([A-Za-z0-9+/=]*):\s*$/.exec(member);
    if (match === null) throw new Error('is not an RFC 9530 dictionary such as sha-256=:<base64>:');
    if (match[1]!.toLowerCase() !== 'sha-256') continue;
    const bytes = Buffer.from(match[2]!, 'base64');
    if (bytes.length !== 32) throw new Error('sha-256 value is not 32 bytes of base64');
    return bytes.toString('hex');
  }
  return null;
}

export function digestFieldFor(sha256Hex: string): string {
  return `sha-256=:${Buffer.from(sha256Hex, 'hex').toString('base64')}:`;
}
