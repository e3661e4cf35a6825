/**
 * What a level-2 health endpoint answers (App01 §2.3 level 2: the system's own dependencies), for agency developers:
 *
 *   HTTP 200 (or 503 when DOWN), Content-Type: application/json
 *   { "status": "UP" | "DEGRADED" | "DOWN",
 *     "checks": [ { "name": "database", "status": "UP" | "DEGRADED" | "DOWN", "detail": "optional text" }, … ] }
 *
 * Spring Boot Actuator's `/actuator/health` shape is accepted too (`{"status": "UP", "components": {"db": {"status":
 * "UP"}}}`; OUT_OF_SERVICE counts as DOWN, UNKNOWN as DEGRADED). At most 50 checks, names up to 100 characters,
 * details up to 500 (longer ones are cut); the body at most 64 KiB. A status absent or unknown makes the answer
 * malformed, which counts as DOWN with the reason in `detail`.
 */
import type { CheckStatus, DependencyCheck } from './model.ts';

export const MAX_CHECKS = 50;
export const MAX_BODY_BYTES = 64 * 1024;

const STATUS_WORDS: Record<string, CheckStatus> = {
  UP: 'UP',
  OK: 'UP',
  DEGRADED: 'DEGRADED',
  WARN: 'DEGRADED',
  UNKNOWN: 'DEGRADED',
  DOWN: 'DOWN',
  OUT_OF_SERVICE: 'DOWN',
  FAIL: 'DOWN',
};

export function checkStatusOf(value: unknown): CheckStatus | null {
  return typeof value === 'string' ? (STATUS_WORDS[value.trim().toUpperCase()] ?? null) : null;
}

const text = (value: unknown, max: number): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null);

export type Level2Answer = { ok: true; status: CheckStatus; checks: DependencyCheck[] } | { ok: false; reason: string };

/** Reads a level-2 answer (parsed JSON). */
export function parseLevel2(body: unknown): Level2Answer {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, reason: 'the answer is not a JSON object' };
  const record = body as Record<string, unknown>;
  const status = checkStatusOf(record.status);
  if (status === null) return { ok: false, reason: 'the answer has no status UP, DEGRADED or DOWN' };
  const checks: DependencyCheck[] = [];
  if (Array.isArray(record.checks)) {
    for (const item of record.checks.slice(0, MAX_CHECKS)) {
      const c = item as Record<string, unknown> | null;
      const name = text(c?.name, 100);
      const checkStatus = checkStatusOf(c?.status);
      if (name === null || checkStatus === null) return { ok: false, reason: 'each check needs a name and a status UP, DEGRADED or DOWN' };
      checks.push({ name, status: checkStatus, detail: text(c?.detail, 500) });
    }
  } else if (record.components !== null && typeof record.components === 'object') {
    for (const [name, value] of Object.entries(record.components as Record<string, unknown>).slice(0, MAX_CHECKS)) {
      const checkStatus = checkStatusOf((value as Record<string, unknown> | null)?.status);
      if (checkStatus === null) return { ok: false, reason: `component ${name.slice(0, 100)} has no status` };
      checks.push({ name: name.slice(0, 100), status: checkStatus, detail: null });
    }
  }
  return { ok: true, status, checks };
}
