/**
 * What a system gives for its credential's key, checked before anything is sent to Keycloak: a `client-jwt`
 * credential takes exactly one RSA public key (PEM, 2048 bits or more) or one JWKS URL; a `client-secret-jwt` one takes
 * none (Keycloak generates its secret). Anything else — a private key, a certificate, several PEM blocks, random text,
 * a large file chosen by mistake — is INVALID_PUBLIC_KEY with a message saying what was given and what to give
 * (Vietnamese first, then English), and nothing is created or changed.
 */
import { acceptJwksUrl, acceptPublicKey } from '@lgsp/credentials';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { CredentialMethod } from './model.ts';

/** A PEM public key is under 1 KB (RSA 4096: about 800 characters); anything above this limit is not one. */
export const MAX_PUBLIC_KEY_PEM_LENGTH = 8 * 1024;

export interface CredentialKey {
  publicKeyPem?: string | null | undefined;
  jwksUrl?: string | null | undefined;
}

const invalid = (argument: 'publicKeyPem' | 'jwksUrl', vi: string, en: string): LgspError =>
  new LgspError(ErrorCode.INVALID_PUBLIC_KEY, `${vi} (${argument}: ${en})`, { argument });

/** The public key PEM, if it is one of an accepted kind; else INVALID_PUBLIC_KEY naming what it is. */
export function checkPublicKeyPem(pem: string): string {
  if (pem.length > MAX_PUBLIC_KEY_PEM_LENGTH) {
    throw invalid(
      'publicKeyPem',
      `Tệp quá lớn để là một khóa công khai (${pem.length} ký tự, tối đa ${MAX_PUBLIC_KEY_PEM_LENGTH}); hãy chọn tệp khóa công khai .pem`,
      `${pem.length} characters is too large for a public key (at most ${MAX_PUBLIC_KEY_PEM_LENGTH}); choose the public key's .pem file`,
    );
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw invalid(
      'publicKeyPem',
      'Đây là khóa bí mật, không phải khóa công khai: hãy gửi khóa công khai và giữ khóa bí mật tại hệ thống',
      'this is a private key; give the public key and keep the private key with the system',
    );
  }
  if (/-----BEGIN (TRUSTED )?CERTIFICATE-----/.test(pem)) {
    throw invalid(
      'publicKeyPem',
      'Đây là chứng thư số, không phải khóa công khai: lấy khóa công khai bằng `openssl x509 -pubkey -noout -in chung-thu.pem`',
      'this is a certificate, not a public key (its validity and issuer would not be checked); extract the key with `openssl x509 -pubkey -noout -in cert.pem`',
    );
  }
  const blocks = pem.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? [];
  if (blocks.length === 0) {
    throw invalid(
      'publicKeyPem',
      'Không phải khóa công khai dạng PEM (cần khối -----BEGIN PUBLIC KEY-----)',
      'not a PEM public key (a -----BEGIN PUBLIC KEY----- block is expected)',
    );
  }
  if (blocks.length > 1) {
    throw invalid('publicKeyPem', `Có ${blocks.length} khối PEM; hãy gửi đúng một khóa công khai`, `${blocks.length} PEM blocks; give exactly one public key`);
  }
  try {
    acceptPublicKey(pem);
  } catch (error) {
    if (!(error instanceof LgspError)) throw error;
    const en = error.message.replace(/^publicKeyPem: /, '');
    throw invalid('publicKeyPem', 'Khóa công khai không hợp lệ: cần một khóa RSA từ 2048 bit trở lên', en);
  }
  return pem;
}

/** The JWKS URL, if it is one (https, or http on a loopback host); else INVALID_PUBLIC_KEY. */
export function checkJwksUrl(url: string): string {
  try {
    return acceptJwksUrl(url);
  } catch (error) {
    if (!(error instanceof LgspError)) throw error;
    throw invalid('jwksUrl', 'Địa chỉ JWKS không hợp lệ: cần một URL https', error.message.replace(/^jwksUrl: /, ''));
  }
}

/** The key for a credential of `method`, checked (blank values count as absent). */
export function checkCredentialKey(method: CredentialMethod, key: CredentialKey): { publicKeyPem?: string; jwksUrl?: string } {
  const pem = key.publicKeyPem?.trim() ? key.publicKeyPem : undefined;
  const url = key.jwksUrl?.trim() ? key.jwksUrl.trim() : undefined;
  if (method === 'client-secret-jwt') {
    if (pem !== undefined || url !== undefined) {
      throw new LgspError(
        ErrorCode.BAD_USER_INPUT,
        'Khóa truy cập CLIENT_SECRET_JWT không nhận khóa công khai hay JWKS: bí mật do nền tảng sinh (a CLIENT_SECRET_JWT credential takes no public key or JWKS URL; its secret is generated)',
        { argument: pem !== undefined ? 'publicKeyPem' : 'jwksUrl' },
      );
    }
    return {};
  }
  if ((pem === undefined) === (url === undefined)) {
    throw invalid(
      pem === undefined ? 'publicKeyPem' : 'jwksUrl',
      'Khóa truy cập CLIENT_JWT cần đúng một trong hai: khóa công khai (PEM) hoặc địa chỉ JWKS',
      'a CLIENT_JWT credential needs exactly one of publicKeyPem and jwksUrl',
    );
  }
  return pem !== undefined ? { publicKeyPem: checkPublicKeyPem(pem) } : { jwksUrl: checkJwksUrl(url!) };
}
