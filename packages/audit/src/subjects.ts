/**
 * Data subjects are stored as keyed hashes (HMAC-SHA256 with the platform's audit subject key), so that the operator
 * can find every record about citizen X by X's personal ID, but nobody reading the log sees personal IDs in clear,
 * and nobody without the key can test guesses against it (a 12-digit ID is too few bits for a plain hash).
 */
import { createHmac } from 'node:crypto';
import type { SubjectKind, SubjectRef } from './record.ts';

/** `(kind, value) → "<kind>:<hex>"`; the value is normalised first (trimmed, upper-cased). */
export type SubjectHasher = (subject: SubjectRef) => string;

export function subjectHasher(key: Uint8Array | string): SubjectHasher {
  if (key.length < 32) throw new Error('the audit subject key must be at least 32 bytes');
  return ({ kind, value }) => `${kind}:${createHmac('sha256', key).update(`${kind}\n${value.trim().toUpperCase()}`).digest('hex')}`;
}

export type { SubjectKind };
