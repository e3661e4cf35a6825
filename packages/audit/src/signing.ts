/**
 * The platform's audit signing key and signed checkpoints (checkpoint.ts): an Ed25519 key (a private JWK in
 * `AUDIT_SIGNING_KEY_FILE`), its id the JWK thumbprint (RFC 7638) of its public part, and compact JWS (EdDSA) over
 * the canonical JSON of `{ seq, hash, at }`. Verification needs only the public JWK, which the operator may publish
 * and keep apart from the platform (a copy in the archive, in the runbook).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, compactVerify, CompactSign, decodeProtectedHeader, type JWK } from 'jose';
import type { Logger } from '@lgsp/kit';
import { canonicalJson } from './chain.ts';
import type { AuditLog } from './audit-log.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { ChainHead } from './record.ts';

export interface AuditSigningKey {
  privateKey: KeyObject;
  /** The public JWK (`kty: OKP`, `crv: Ed25519`, `x`, `kid`). */
  publicJwk: JWK;
  /** The JWK thumbprint (SHA-256, base64url) of the public key. */
  keyId: string;
}

export class AuditKeyError extends Error {
  override name = 'AuditKeyError';
}

/** An Ed25519 key from a private JWK (`{ kty: 'OKP', crv: 'Ed25519', d, x }`). */
export async function signingKeyFromJwk(jwk: JWK): Promise<AuditSigningKey> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string')
    throw new AuditKeyError('the audit signing key must be an Ed25519 private JWK ({ "kty": "OKP", "crv": "Ed25519", "d": …, "x": … })');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: jwk.d, x: jwk.x }, format: 'jwk' });
  } catch (error) {
    throw new AuditKeyError(`the audit signing key is not a valid Ed25519 key (${(error as Error).message})`);
  }
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  if (publicJwk.x !== jwk.x) throw new AuditKeyError('the audit signing key is not a valid Ed25519 key (x is not the public key of d)');
  const keyId = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x! });
  return { privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x!, kid: keyId }, keyId };
}

/** Reads `AUDIT_SIGNING_KEY_FILE`. */
export async function readSigningKeyFile(file: string): Promise<AuditSigningKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AuditKeyError(`AUDIT_SIGNING_KEY_FILE=${file}: cannot read it as a JWK (${code ?? (error as Error).message})`);
  }
  try {
    return await signingKeyFromJwk(jwk);
  } catch (error) {
    throw new AuditKeyError(`AUDIT_SIGNING_KEY_FILE=${file}: ${(error as Error).message}`);
  }
}

/** A new key, as the private JWK to store in `AUDIT_SIGNING_KEY_FILE` (`npm run audit -- keygen`). */
export function generateSigningJwk(): JWK {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { kty, crv, d, x } = privateKey.export({ format: 'jwk' }) as JWK;
  return { kty, crv, d, x };
}

/** The development signing key: fixed (every process of `npm start` signs alike); never for production. */
export function developmentSigningJwk(): JWK {
  const seed = createHash('sha256').update('lgsp development audit signing key - NOT FOR PRODUCTION').digest();
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const { kty, crv, d, x } = privateKey.export({ format: 'jwk' }) as JWK;
  return { kty, crv, d, x };
}

/** The key of the configuration: the file, else (not in production) the development key with a warning. */
export async function auditSigningKey(
  config: { AUDIT_SIGNING_KEY_FILE?: string | undefined },
  options: { production?: boolean; logger?: Logger } = {},
): Promise<AuditSigningKey> {
  if (config.AUDIT_SIGNING_KEY_FILE !== undefined) return readSigningKeyFile(config.AUDIT_SIGNING_KEY_FILE);
  if (options.production ?? process.env.NODE_ENV === 'production')
    throw new AuditKeyError('AUDIT_SIGNING_KEY_FILE is required when NODE_ENV=production (the key audit checkpoints are signed with)');
  options.logger?.warn(
    { event: 'audit.development-signing-key' },
    'AUDIT_SIGNING_KEY_FILE is not set: audit checkpoints are signed with the fixed development key (never in production)',
  );
  return signingKeyFromJwk(developmentSigningJwk());
}

/** The signed text of a checkpoint. */
const payloadOf = (checkpoint: Pick<Checkpoint, 'seq' | 'hash' | 'at'>) => canonicalJson({ seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at });

/** Signs a head. */
export async function signCheckpoint(head: ChainHead, key: AuditSigningKey, at = new Date()): Promise<Checkpoint> {
  const unsigned = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  const signature = await new CompactSign(new TextEncoder().encode(payloadOf(unsigned)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.keyId })
    .sign(key.privateKey);
  return { ...unsigned, keyId: key.keyId, signature };
}

/**
 * Checks a checkpoint's signature with the public keys given (JWKs; the one whose thumbprint is the checkpoint's
 * `keyId`). Answers null when it verifies, else why not.
 */
export async function checkpointSignatureProblem(checkpoint: Checkpoint, publicKeys: readonly JWK[]): Promise<string | null> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(checkpoint.signature).kid;
  } catch {
    return 'the signature is not a compact JWS';
  }
  if (kid !== checkpoint.keyId) return `the signature names key ${String(kid)}, the checkpoint ${checkpoint.keyId}`;
  const thumbprints = await Promise.all(publicKeys.map((k) => calculateJwkThumbprint({ kty: 'OKP', crv: String(k.crv), x: String(k.x) })));
  const jwk = publicKeys[thumbprints.indexOf(checkpoint.keyId)];
  if (jwk === undefined) return `signed with key ${checkpoint.keyId}, which is not one of the keys given`;
  try {
    const { payload, protectedHeader } = await compactVerify(
      checkpoint.signature,
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) }, format: 'jwk' }),
      {
        algorithms: ['EdDSA', 'Ed25519'],
      },
    );
    if (protectedHeader.kid !== checkpoint.keyId) return 'the signature names another key';
    if (new TextDecoder().decode(payload) !== payloadOf(checkpoint)) return 'the signature is over another seq, hash or time than the checkpoint says';
    return null;
  } catch (error) {
    return `the signature does not verify (${(error as Error).message})`;
  }
}

export interface Checkpointer {
  /** Signs the head now (when it moved since the last checkpoint); answers the checkpoint, or null when nothing to sign. */
  checkpoint(): Promise<Checkpoint | null>;
  close(): Promise<void>;
}

/**
 * Signs the head every `intervalMs` when it moved (`AUDIT_CHECKPOINT_INTERVAL_SECONDS`): run it in one process (the
 * monitoring process), or several (each checkpoint is valid on its own; a few more are harmless). A failure is
 * logged as an error (the chain goes unsigned meanwhile: an operator must act) and tried again at the next tick.
 */
export function startCheckpointer(options: { log: AuditLog; key: AuditSigningKey; intervalMs: number; logger?: Logger }): Checkpointer {
  const { log, key, logger } = options;
  let last: ChainHead | null = null;
  let running: Promise<unknown> = Promise.resolve();
  const checkpoint = async (): Promise<Checkpoint | null> => {
    if (last === null) {
      const previous = (await log.checkpoints()).at(-1);
      if (previous !== undefined) last = { seq: previous.seq, hash: previous.hash };
    }
    const head = await log.head();
    if (head === null || (last !== null && last.seq === head.seq && last.hash === head.hash)) return null;
    const signed = await signCheckpoint(head, key);
    await log.putCheckpoint(signed);
    last = head;
    logger?.info({ event: 'audit.checkpoint', seq: signed.seq, keyId: signed.keyId }, 'audit chain head signed');
    return signed;
  };
  const serial = (): Promise<Checkpoint | null> => {
    const next = running.then(checkpoint);
    running = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    serial().catch((error: unknown) =>
      logger?.error(
        { event: 'audit.checkpoint-failed', reason: (error as Error).message },
        'the audit chain head could not be signed; retried at the next interval',
      ),
    );
  }, options.intervalMs);
  timer.unref();
  return {
    checkpoint: serial,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
