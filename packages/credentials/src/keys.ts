/**
 * Checks what a system gives for a `client-jwt` credential before anything is sent to Keycloak: a public key (PEM)
 * that is one, of an accepted kind, or a JWKS URL that is a URL. A failure is INVALID_PUBLIC_KEY.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ErrorCode, LgspError } from '@lgsp/kit';

/** Keycloak's attributes for a client-jwt client's key (ClientAttributeCertificateResource, "jwt.credential"). */
export const JwtCredentialAttribute = {
  publicKey: 'jwt.credential.public.key',
  kid: 'jwt.credential.kid',
  useJwksUrl: 'use.jwks.url',
  jwksUrl: 'jwks.url',
  signingAlg: 'token.endpoint.auth.signing.alg',
} as const;

/** RSA keys shorter than this are refused (NIST SP 800-131A: 2048 bits at least). */
const MIN_RSA_BITS = 2048;

/** A public key accepted for a client-jwt credential, in the form Keycloak stores it. */
export interface AcceptedPublicKey {
  /** The key as Keycloak stores it: base64 DER SubjectPublicKeyInfo, no PEM armour. */
  spkiBase64: string;
  /** RFC 7638 thumbprint, the `kid` the system puts in its assertions' header. */
  kid: string;
  /** The assertion's algorithm (RSA: RS256, App01 §2.2's RSA option). */
  alg: 'RS256';
}

function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  // RFC 7638 §3.2: the required members only, in lexicographic order, no white space.
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The public key in `pem` (an SPKI public key or an X.509 certificate), or INVALID_PUBLIC_KEY. */
export function acceptPublicKey(pem: string): AcceptedPublicKey {
  const invalid = (why: string): LgspError => new LgspError(ErrorCode.INVALID_PUBLIC_KEY, `publicKeyPem: ${why}`);
  if (/PRIVATE KEY-----/.test(pem)) throw invalid('this is a private key; give the public key (keep the private key with the system)');
  if (!/-----BEGIN (PUBLIC KEY|CERTIFICATE|RSA PUBLIC KEY)-----/.test(pem)) throw invalid('not a PEM public key or certificate');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw invalid('not a public key (the PEM does not parse)');
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw invalid(`an RSA key of ${bits} bits; at least ${MIN_RSA_BITS} are required`);
    return { spkiBase64: key.export({ type: 'spki', format: 'der' }).toString('base64'), kid: thumbprint(key), alg: 'RS256' };
  }
  // Keycloak reads `jwt.credential.public.key` as an RSA key (PemUtils.decodePublicKey), so only RSA is accepted here.
  throw invalid(`a ${key.asymmetricKeyType ?? 'unknown'} key; an RSA key of 2048 bits or more is accepted`);
}

/** A JWKS URL: https, or http on a loopback host (development); else INVALID_PUBLIC_KEY. */
export function acceptJwksUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LgspError(ErrorCode.INVALID_PUBLIC_KEY, 'jwksUrl: not a URL');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new LgspError(ErrorCode.INVALID_PUBLIC_KEY, 'jwksUrl: must be an https URL (http only on a loopback host)');
  }
  if (url.username !== '' || url.password !== '') throw new LgspError(ErrorCode.INVALID_PUBLIC_KEY, 'jwksUrl: must not carry credentials');
  return url.href;
}

/** Keycloak's attributes for the key given (exactly one of a PEM public key and a JWKS URL). */
export function jwtCredentialAttributes(key: { publicKeyPem?: string | undefined; jwksUrl?: string | undefined }): Record<string, string> {
  const hasPem = key.publicKeyPem !== undefined && key.publicKeyPem.trim() !== '';
  const hasUrl = key.jwksUrl !== undefined && key.jwksUrl.trim() !== '';
  if (hasPem === hasUrl) throw new LgspError(ErrorCode.INVALID_PUBLIC_KEY, 'client-jwt needs exactly one of publicKeyPem and jwksUrl');
  if (hasUrl) {
    // RS256, as with a PEM key (App01 §2.2, the RSA option).
    return {
      [JwtCredentialAttribute.useJwksUrl]: 'true',
      [JwtCredentialAttribute.jwksUrl]: acceptJwksUrl(key.jwksUrl ?? ''),
      [JwtCredentialAttribute.signingAlg]: 'RS256',
    };
  }
  const accepted = acceptPublicKey(key.publicKeyPem ?? '');
  return {
    [JwtCredentialAttribute.useJwksUrl]: 'false',
    [JwtCredentialAttribute.publicKey]: accepted.spkiBase64,
    [JwtCredentialAttribute.kid]: accepted.kid,
    [JwtCredentialAttribute.signingAlg]: accepted.alg,
  };
}
