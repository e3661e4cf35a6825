/**
 * Reporting periods (kỳ báo cáo) of statistics, reconciliation and reports: a day `2026-11-05`, a month `2026-11`, a
 * quarter `2026-Q4` or a year `2026`, each a range of Vietnam days (UTC+7, `vietnamDay` of @lgsp/audit) — the days
 * the log's rollups are kept by. A period that is not in the calendar (`2026-13`, `2026-Q5`, `2026-02-30`), is written
 * otherwise, or has not started yet is refused with `INVALID_PERIOD`; a period in progress counts the days so far.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { vietnamDay } from '@lgsp/audit';

export type PeriodKind = 'DAY' | 'MONTH' | 'QUARTER' | 'YEAR';

export interface Period {
  /** As written by the caller (`2026-Q4`). */
  text: string;
  kind: PeriodKind;
  /** First and last day, inclusive (`yyyy-mm-dd`, Vietnam time). */
  fromDay: string;
  toDay: string;
  /** The period in Vietnamese, for report headings: `tháng 11/2026`, `quý IV/2026`, `năm 2026`, `ngày 05/11/2026`. */
  label: string;
}

const ROMAN = ['I', 'II', 'III', 'IV'];
/** Years the platform can have records of. */
const FIRST_YEAR = 2000;
const LAST_YEAR = 9999;

const pad = (n: number) => String(n).padStart(2, '0');
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function invalid(text: string, why: string): LgspError {
  return new LgspError(ErrorCode.INVALID_PERIOD, `Period "${text}" ${why}`, { period: text });
}

function checkYear(text: string, year: number): void {
  if (year < FIRST_YEAR || year > LAST_YEAR) throw invalid(text, `is outside the years ${FIRST_YEAR}–${LAST_YEAR}`);
}

/**
 * The period `text` names. `now` decides whether it has started (its first day is not after today in Vietnam).
 * Throws `LgspError(INVALID_PERIOD)` naming what is wrong.
 */
export function parsePeriod(text: string, now: Date = new Date()): Period {
  const trimmed = text.trim();
  let period: Period;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed)) !== null) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    checkYear(text, year);
    if (month < 1 || month > 12) throw invalid(text, `has no month ${match[2]} (months are 01–12)`);
    if (day < 1 || day > daysInMonth(year, month)) throw invalid(text, `is not in the calendar: ${pad(month)}/${year} has ${daysInMonth(year, month)} days`);
    const iso = `${year}-${pad(month)}-${pad(day)}`;
    period = { text: trimmed, kind: 'DAY', fromDay: iso, toDay: iso, label: `ngày ${pad(day)}/${pad(month)}/${year}` };
  } else if ((match = /^(\d{4})-(\d{2})$/.exec(trimmed)) !== null) {
    const [year, month] = [Number(match[1]), Number(match[2])];
    checkYear(text, year);
    if (month < 1 || month > 12) throw invalid(text, `has no month ${match[2]} (months are 01–12)`);
    period = {
      text: trimmed,
      kind: 'MONTH',
      fromDay: `${year}-${pad(month)}-01`,
      toDay: `${year}-${pad(month)}-${pad(daysInMonth(year, month))}`,
      label: `tháng ${pad(month)}/${year}`,
    };
  } else if ((match = /^(\d{4})-Q(\d)$/.exec(trimmed)) !== null) {
    const [year, quarter] = [Number(match[1]), Number(match[2])];
    checkYear(text, year);
    if (quarter < 1 || quarter > 4) throw invalid(text, `has no quarter ${quarter} (quarters are Q1–Q4)`);
    const lastMonth = quarter * 3;
    period = {
      text: trimmed,
      kind: 'QUARTER',
      fromDay: `${year}-${pad(lastMonth - 2)}-01`,
      toDay: `${year}-${pad(lastMonth)}-${pad(daysInMonth(year, lastMonth))}`,
      label: `quý ${ROMAN[quarter - 1]}/${year}`,
    };
  } else if ((match = /^(\d{4})$/.exec(trimmed)) !== null) {
    const year = Number(match[1]);
    checkYear(text, year);
    period = { text: trimmed, kind: 'YEAR', fromDay: `${year}-01-01`, toDay: `${year}-12-31`, label: `năm ${year}` };
  } else {
    throw invalid(text, 'is not a period: write a day 2026-11-05, a month 2026-11, a quarter 2026-Q4 or a year 2026');
  }
  const today = vietnamDay(now.toISOString());
  if (period.fromDay > today) throw invalid(text, `has not started yet (it starts on ${period.fromDay}; today is ${today} in Vietnam time)`);
  return period;
}

/** The instants bounding a range of Vietnam days: `from` inclusive (00:00 UTC+7 of `fromDay`), `to` exclusive. */
export function periodInstants(fromDay: string, toDay: string): { from: string; to: string } {
  const start = Date.parse(`${fromDay}T00:00:00+07:00`);
  const end = Date.parse(`${toDay}T00:00:00+07:00`) + 86_400_000;
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/** Every day of the range, in order. */
export function* daysOf(fromDay: string, toDay: string): Generator<string> {
  for (let t = Date.parse(`${fromDay}T00:00:00Z`); ; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (day > toDay) return;
    yield day;
  }
}

/** Every month (`yyyy-mm`) the range touches, in order. */
export function monthsOf(fromDay: string, toDay: string): string[] {
  const months: string[] = [];
  for (const day of daysOf(fromDay, toDay)) if (months.at(-1) !== day.slice(0, 7)) months.push(day.slice(0, 7));
  return months;
}
