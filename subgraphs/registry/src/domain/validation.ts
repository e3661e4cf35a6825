/** Checks of what callers give, each failing with the precise error code (never a bare Error). */
import { ErrorCode, LgspError } from '@lgsp/kit';

const AGENCY_CODE = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$/;

/**
 * QCVN 102:2016 agency identifier code `AAA.BB.CC.XNN`: a level is used only when the one above it is
 * (`000.01.00.H41` is invalid). INVALID_AGENCY_CODE naming the problem.
 */
export function checkAgencyCode(code: string, argument = 'code'): string {
  const match = AGENCY_CODE.exec(code);
  const fail = (reason: string) => new LgspError(ErrorCode.INVALID_AGENCY_CODE, `Invalid agency identifier code "${code}": ${reason}`, { argument });
  if (match === null) throw fail('must have the form AAA.BB.CC.XNN (three digits, two, two, a capital letter and two digits), e.g. 000.00.03.H41');
  const [, level4, level3, level2] = match as unknown as [string, string, string, string];
  if (level3 !== '00' && level2 === '00') throw fail('the level-3 part is set but the level-2 part is 00');
  if (level4 !== '000' && level3 === '00') throw fail('the level-4 part is set but the level-3 part is 00');
  return code;
}

/** An ISO 8601 date-time (with a time zone), or INVALID_DATE. */
export function checkInstant(value: string, argument: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(ms)) {
    throw new LgspError(ErrorCode.INVALID_DATE, `${argument}: "${value}" is not an ISO 8601 date-time with a time zone (e.g. 2026-12-07T09:00:00+07:00)`, {
      argument,
    });
  }
  return new Date(ms);
}

export function badInput(argument: string, message: string): LgspError {
  return new LgspError(ErrorCode.BAD_USER_INPUT, `${argument}: ${message}`, { argument });
}

/** A non-empty trimmed text of at most `max` characters. */
export function checkText(value: string, argument: string, max = 500): string {
  const text = value.trim();
  if (text.length === 0) throw badInput(argument, 'must not be empty');
  if (text.length > max) throw badInput(argument, `must be at most ${max} characters`);
  return text;
}

/** Lower-case codes of services, subgraphs and system slugs. */
export function checkSlug(value: string, argument: string): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(value) || value.length > 64)
    throw badInput(argument, 'must be lower-case letters and digits separated by single hyphens (at most 64)');
  return value;
}

/** Purpose categories a grant names (the part of X-LGSP-Purpose before ":"), or `*`. */
export function checkPurpose(value: string): string {
  if (!/^(\*|[a-z0-9-]{1,64})$/.test(value)) throw badInput('purposes', `"${value}" is not a purpose category (a-z, 0-9, -) or *`);
  return value;
}

export function checkPositiveInt(value: number, argument: string, max = 1_000_000_000): number {
  if (!Number.isInteger(value) || value <= 0 || value > max) throw badInput(argument, `must be a whole number between 1 and ${max}`);
  return value;
}

export function checkUrl(value: string, argument: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw badInput(argument, `"${value}" is not an http(s) URL`);
  }
  return value;
}

export function checkEmail(value: string, argument: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw badInput(argument, `"${value}" is not an e-mail address`);
  return value;
}
