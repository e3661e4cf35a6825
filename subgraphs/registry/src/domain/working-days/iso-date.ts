/**
 * Reading the date-times deadlines are asked for: ISO 8601 / RFC 3339 as people type them. A value without an offset
 * is a time in Asia/Ho_Chi_Minh (the province's clock); a date alone is its midnight there. Anything else →
 * INVALID_DATE, never a guess (`new Date()` alone accepts "2026-02-30" as 2 March and many non-ISO forms).
 */
import { ErrorCode, LgspError } from '@lgsp/kit';

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The instant an ISO 8601 date or date-time names; throws `INVALID_DATE` (with `extensions.value`) when it names none. */
export function parseIsoDateTime(text: string): Date {
  const refuse = (why: string) =>
    new LgspError(ErrorCode.INVALID_DATE, `"${text}" is not an ISO 8601 date-time (${why}); e.g. 2026-02-13T10:00+07:00`, { value: text });
  const match = PATTERN.exec(text.trim());
  if (match === null) throw refuse('expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]');
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '0', zone = '+07:00'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) throw refuse(`${y}-${mo}-${d} is not a calendar date`);
  if (hour > 23 || minute > 59 || second > 59) throw refuse(`${h}:${mi}:${s} is not a time of day`);
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (oh > 14 || om > 59) throw refuse(`${zone} is not a UTC offset`);
    offsetMinutes = sign * (oh * 60 + om);
  }
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000);
}
