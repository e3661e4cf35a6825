/**
 * Working-day deadlines (thời hạn tính theo ngày làm việc) of the registry: when an answer to a request is due, and
 * whether it is overdue.
 *
 * The rule, in Asia/Ho_Chi_Minh time (UTC+7):
 * 1. **Receipt.** A request received on a working day before the office closes (`officeHours.closes`, 17:00 in the
 *    shipped table) is received that day. One received at or after closing, or on a day off (weekend, holiday, nghỉ
 *    bù), is received on the next working day — the office takes it in when it next opens. (The regulations set no hour;
 *    this is our rule, the way the one-stop desks of Nghị định 61/2018/NĐ-CP count what arrives outside office hours.)
 * 2. **Counting.** The day of receipt is not counted; counting starts the next day (Bộ luật Dân sự 2015, Điều 147.3:
 *    "ngày xảy ra sự kiện không được tính"), and only working days count (the period is set in working days:
 *    BG:14.3, DL:11.2, DL:17.3, DL:17.5).
 * 3. **End.** The period ends at the end (24:00) of its last working day (Bộ luật Dân sự 2015, Điều 148.1 and 148.6).
 *
 * So 5 working days from a request received on Friday 13 February 2026 at 10:00, the Friday before Tết Bính Ngọ
 * (days off 14–22 February), are 23, 24, 25, 26 and 27 February: due at the end of Friday 27 February 2026.
 */
import { addDays, isWorkingDay, nextWorkingDay, type WorkingCalendar } from './calendar.ts';

/** The periods the registry keeps, in working days, with the article that sets each. */
export const DEADLINES = {
  /** The operator answers a valid access request within 5 working days (BG:14.3, BV:15.1, DL:11.2). */
  ACCESS_REQUEST: 5,
  /** A provider registration (App02 form 01) is answered within 7 working days (DL:17.3). */
  REGISTRATION: 7,
  /** An update of a registration within 5 working days (DL:17.5). */
  UPDATE: 5,
} as const;
/** One of the registry's periods. */
export type DeadlineKind = keyof typeof DEADLINES;

const OFFSET_MS = 7 * 3600 * 1000;

/** The civil date (`YYYY-MM-DD`) and minutes since midnight of an instant in Asia/Ho_Chi_Minh. */
export function localParts(instant: Date): { date: string; minutes: number } {
  const local = new Date(instant.getTime() + OFFSET_MS);
  return { date: local.toISOString().slice(0, 10), minutes: local.getUTCHours() * 60 + local.getUTCMinutes() };
}

/** The instant a civil date starts (00:00) in Asia/Ho_Chi_Minh. */
export function startOfLocalDay(date: string): Date {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() - OFFSET_MS);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A deadline worked out, with each step of the rule, for display and the audit trail. */
export interface Deadline {
  /** When the request arrived. */
  readonly receivedAt: Date;
  /** The working day it counts as received (rule 1), `YYYY-MM-DD`. */
  readonly receivedOn: string;
  /** The first working day counted (rule 2: the day after the day of receipt, or the first working day after it). */
  readonly countsFrom: string;
  /** How many working days. */
  readonly workingDays: number;
  /** The last working day of the period, `YYYY-MM-DD`. */
  readonly dueDay: string;
  /** The instant the period ends: 24:00 of `dueDay` in Asia/Ho_Chi_Minh (an answer before it is on time). */
  readonly dueAt: Date;
  /** False when the period runs beyond the years whose holidays the calendar resolves (only weekends counted there). */
  readonly calendarCovers: boolean;
}

/** The working day a request received at `receivedAt` counts as received on (rule 1). */
export function receiptDay(receivedAt: Date, calendar: WorkingCalendar): string {
  const { date, minutes } = localParts(receivedAt);
  if (isWorkingDay(calendar, date) && minutes < minutesOf(calendar.officeHours.closes)) return date;
  return nextWorkingDay(calendar, date);
}

/** The deadline of a request received at `receivedAt`, `workingDays` working days later (1 or more), step by step. */
export function deadline(receivedAt: Date, workingDays: number, calendar: WorkingCalendar): Deadline {
  if (!Number.isInteger(workingDays) || workingDays < 1) throw new RangeError(`workingDays must be a whole number ≥ 1, got ${workingDays}`);
  if (Number.isNaN(receivedAt.getTime())) throw new RangeError('receivedAt is not a valid date');
  const receivedOn = receiptDay(receivedAt, calendar);
  let day = receivedOn;
  for (let counted = 0; counted < workingDays; counted++) day = nextWorkingDay(calendar, day);
  const year = (d: string) => Number(d.slice(0, 4));
  return {
    receivedAt,
    receivedOn,
    countsFrom: nextWorkingDay(calendar, receivedOn),
    workingDays,
    dueDay: day,
    dueAt: startOfLocalDay(addDays(day, 1)),
    calendarCovers: year(receivedOn) >= calendar.years[0] && year(day) <= calendar.years[1],
  };
}

/** When an answer to a request received at `receivedAt` is due: the end of its `workingDays`-th working day. */
export function dueDate(receivedAt: Date, workingDays: number, calendar: WorkingCalendar): Date {
  return deadline(receivedAt, workingDays, calendar).dueAt;
}

/** Whether a request due at `dueAt` and not answered is overdue at `now` (the period has ended). */
export function isOverdue(dueAt: Date, now: Date): boolean {
  return now.getTime() >= dueAt.getTime();
}

/**
 * Working days left until `dueAt` (24:00 of its last working day, Asia/Ho_Chi_Minh) at `now`: the working days after
 * today up to the due day (0 = due at the end of today); once overdue, minus the working days since the due day, at
 * least -1 (overdue over a weekend is still overdue).
 */
export function workingDaysLeft(dueAt: Date, now: Date, calendar: WorkingCalendar): number {
  const dueDay = localParts(new Date(dueAt.getTime() - 1)).date;
  const today = localParts(now).date;
  const count = (from: string, to: string) => {
    let n = 0;
    for (let day = addDays(from, 1), guard = 0; day <= to && guard < 3700; day = addDays(day, 1), guard++) if (isWorkingDay(calendar, day)) n++;
    return n;
  };
  if (!isOverdue(dueAt, now)) return count(today, dueDay);
  return -Math.max(1, count(dueDay, today));
}
