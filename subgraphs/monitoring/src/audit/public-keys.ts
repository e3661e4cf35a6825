/**
 * AUDIT_VERIFY_PUBLIC_KEYS_FILE: the public halves of the audit signing keys used before the current one (after a
 * rotation), so the checkpoints they signed still verify. A JWK or a JWK set (`{ "keys": [ … ] }`), Ed25519 only;
 * what `npm run audit -- verify --public-key` reads.
 */
import { readFileSync } from 'node:fs';
import type { AuditSigningKey } from '@lgsp/audit';

/** A public Ed25519 JWK (`{ kty: 'OKP', crv: 'Ed25519', x }`). */
export type AuditPublicKey = AuditSigningKey['publicJwk'];

/** Reads the file; throws an Error naming the variable when it is not Ed25519 public JWKs. */
export function readPublicKeysFile(file: string): AuditPublicKey[] {
  let parsed: AuditPublicKey & { keys?: AuditPublicKey[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as AuditPublicKey & { keys?: AuditPublicKey[] };
  } catch (error) {
    throw new Error(`AUDIT_VERIFY_PUBLIC_KEYS_FILE=${file}: cannot read it as a JWK (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const list = Array.isArray(parsed.keys) ? parsed.keys : [parsed];
  if (list.length === 0 || list.some((k) => k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string'))
    throw new Error(`AUDIT_VERIFY_PUBLIC_KEYS_FILE=${file}: not Ed25519 public JWKs ({ "kty": "OKP", "crv": "Ed25519", "x": … } or { "keys": [ … ] })`);
  return list.map((k) => ({ kty: 'OKP', crv: 'Ed25519', x: k.x! }));
}
