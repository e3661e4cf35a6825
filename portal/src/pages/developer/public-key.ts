/**
 * Checks a file picked for a client-jwt credential in the browser, before anything is sent: a PEM
 * `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) that WebCrypto imports as an RSA or EC (P-256/384/521) key. A
 * private key is refused with its own message (it must never leave the agency). The registry checks again
 * (INVALID_PUBLIC_KEY).
 */
export type KeyCheck = { ok: true; pem: string; algorithm: string } | { ok: false; reason: 'NOT_A_PUBLIC_KEY' | 'PRIVATE_KEY' };

const PEM = /^\s*-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/;
const MAX_BYTES = 16 * 1024;

export async function checkPublicKeyFile(file: Blob): Promise<KeyCheck> {
  if (file.size === 0 || file.size > MAX_BYTES) return { ok: false, reason: 'NOT_A_PUBLIC_KEY' };
  const text = await file.text();
  if (/-----BEGIN (RSA |EC |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/.test(text)) return { ok: false, reason: 'PRIVATE_KEY' };
  const match = PEM.exec(text);
  if (match === null) return { ok: false, reason: 'NOT_A_PUBLIC_KEY' };
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = Uint8Array.from(atob(match[1]!.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  } catch {
    return { ok: false, reason: 'NOT_A_PUBLIC_KEY' };
  }
  const candidates: Array<[string, RsaHashedImportParams | EcKeyImportParams]> = [
    ['RSA', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }],
    ['EC P-256', { name: 'ECDSA', namedCurve: 'P-256' }],
    ['EC P-384', { name: 'ECDSA', namedCurve: 'P-384' }],
    ['EC P-521', { name: 'ECDSA', namedCurve: 'P-521' }],
  ];
  for (const [algorithm, params] of candidates) {
    try {
      await crypto.subtle.importKey('spki', der, params, true, ['verify']);
      return { ok: true, pem: text.trim() + '\n', algorithm };
    } catch {
      // not this kind
    }
  }
  return { ok: false, reason: 'NOT_A_PUBLIC_KEY' };
}
