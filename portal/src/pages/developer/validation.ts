/**
 * The checks of an access request, as the registry makes them (subgraphs/registry/src/domain/validation.ts and
 * access-requests.ts `checkTerms`): run by the form's rules as the person types, and once more on the values about to
 * be sent, so a form changed in the page (a `required` removed, a value typed past a limit) still sends nothing bad.
 * The registry checks again; its error is shown next to the form.
 */
import type { Text } from '../../shell/i18n.tsx';
import { texts } from './texts.ts';

export const LIMITS = {
  legalBasis: 1000,
  signedBy: 200,
  commitmentText: 5000,
  expectedRequestsPerDay: 1_000_000_000,
  quotaRequests: 1_000_000,
  quotaPerSeconds: 86_400,
} as const;

export const PURPOSE_CATEGORY = /^(\*|[a-z0-9-]{1,64})$/;
/** X-LGSP-Purpose: `<category>:<case reference>`. */
export const PURPOSE_HEADER = /^[a-z0-9-]{1,64}:\S.{0,199}$/;

export interface Problem {
  field: string;
  text: Text;
  values?: Record<string, string | number>;
}

export function checkText(value: unknown, field: string, max: number): Problem | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  return text.length === 0 || text.length > max ? { field, text: texts.vText, values: { max } } : undefined;
}

export function checkPositive(value: unknown, field: string, max: number): Problem | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= max ? undefined : { field, text: texts.vPositive, values: { max } };
}

export function checkPurposes(value: unknown): Problem | undefined {
  const list = Array.isArray(value) ? value.map(String) : [];
  if (list.length === 0) return { field: 'purposes', text: texts.vPurposes };
  const bad = list.find((p) => !PURPOSE_CATEGORY.test(p));
  return bad === undefined ? undefined : { field: 'purposes', text: texts.vPurpose, values: { v: bad } };
}

export function checkFieldSets(value: unknown, offered: readonly string[], kind: string | undefined): Problem | undefined {
  const list = Array.isArray(value) ? value.map(String) : [];
  if (list.some((f) => !offered.includes(f))) return { field: 'fieldSets', text: texts.vFieldSets };
  if (list.length === 0 && kind !== 'RELAY_DATA_TYPE') return { field: 'fieldSets', text: texts.vFieldSets };
  return undefined;
}

export function checkQuota(requests: unknown, perSeconds: unknown): Problem | undefined {
  const empty = (v: unknown) => v === undefined || v === null || v === '';
  if (empty(requests) && empty(perSeconds)) return undefined;
  if (empty(requests) || empty(perSeconds)) return { field: empty(requests) ? 'quotaRequests' : 'quotaPerSeconds', text: texts.vQuotaBoth };
  return checkPositive(requests, 'quotaRequests', LIMITS.quotaRequests) ?? checkPositive(perSeconds, 'quotaPerSeconds', LIMITS.quotaPerSeconds);
}

/** A `datetime-local` value (Vietnam time) as an ISO instant, or a problem when it is not in the future. */
export function checkValidTo(value: unknown, now = Date.now()): { iso: string | null; problem?: Problem } {
  if (value === undefined || value === null || value === '') return { iso: null };
  const text = String(value);
  // datetime-local gives `2027-01-31T17:00` (or with seconds), in the person's Vietnam time.
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text) ? `${text}:00+07:00` : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text) ? `${text}+07:00` : text;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(zoned) ? Date.parse(zoned) : NaN;
  if (Number.isNaN(ms) || ms <= now) return { iso: null, problem: { field: 'validTo', text: texts.vFuture } };
  return { iso: new Date(ms).toISOString() };
}

/** An antd rule from a check: the problem's text in the person's language. */
export function rule(check: (value: unknown) => Problem | undefined, t: (text: Text, values?: Record<string, string | number>) => string) {
  return {
    validator: (_: unknown, value: unknown) => {
      const problem = check(value);
      return problem === undefined ? Promise.resolve() : Promise.reject(new Error(t(problem.text, problem.values)));
    },
  };
}
