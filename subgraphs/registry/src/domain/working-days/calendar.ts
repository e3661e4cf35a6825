/**
 * The Vietnamese working-day calendar (ngày làm việc) the registry's deadlines count in, as data: which weekdays are
 * the weekend, and a table of exceptions — statutory holidays (ngày nghỉ lễ, tết), weekdays made days off (nghỉ bù,
 * hoán đổi) and weekend days made working days (làm bù). The table ships in `src/data/calendar/` and an operator
 * extends or corrects it with a file of the same shape (`REGISTRY_CALENDAR_FILE`): a day it lists replaces the
 * table's entry for that date.
 *
 * A date here is a civil date in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), written `YYYY-MM-DD`.
 */
import { z } from 'zod';

/** What a listed date is: a statutory holiday, a weekday made a day off, or a day made a working day (also to undo a listed day off). */
export const CALENDAR_DAY_KINDS = ['HOLIDAY', 'DAY_OFF', 'WORKING_DAY'] as const;
/** One of {@link CALENDAR_DAY_KINDS}. */
export type CalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];

/**
 * Where a listed date comes from:
 * - `OFFICIAL` — the year's decision of the Government (the Prime Minister's approval of the schedule the Ministry of
 *   Home Affairs / of Labour announces): the five Tết days, the National Day adjacent day, day swaps;
 * - `LABOUR_CODE` — follows from the Labour Code 2019 (Bộ luật Lao động 45/2019/QH14) art. 112 alone: a holiday of
 *   fixed date, a lunar holiday resolved to its date, and a holiday falling on a weekend made up on the next working
 *   day (art. 112.3);
 * - `PROJECTED` — the law leaves the choice to the Prime Minister (Tết's five days, the day next to 2 September) and
 *   no decision is in the table yet: our rule (labour-code.ts) stands in until the decision is added;
 * - `OPERATOR` — from the operator's file.
 */
export const CALENDAR_DAY_SOURCES = ['OFFICIAL', 'LABOUR_CODE', 'PROJECTED', 'OPERATOR'] as const;
/** One of {@link CALENDAR_DAY_SOURCES}. */
export type CalendarDaySource = (typeof CALENDAR_DAY_SOURCES)[number];

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM');

/** One listed date. */
export const calendarDaySchema = z.object({
  /** The civil date, `YYYY-MM-DD` in Asia/Ho_Chi_Minh. */
  date: localDate,
  kind: z.enum(CALENDAR_DAY_KINDS),
  /** What it is, in Vietnamese (e.g. "Tết Nguyên đán Bính Ngọ (mùng 1)"). */
  name: z.string().min(1),
  source: z.enum(CALENDAR_DAY_SOURCES),
  /** The law or decision behind it. */
  basis: z.string().min(1),
});
/** One listed date of the calendar. */
export type CalendarDay = z.infer<typeof calendarDaySchema>;

/** The shipped table: the whole calendar. */
export const calendarFileSchema = z.object({
  /** Free text for the people who maintain the table (ignored). */
  about: z.union([z.string(), z.array(z.string())]).optional(),
  /** ISO weekdays (1 = Monday … 7 = Sunday) that are the weekly rest days: Saturday and Sunday for the civil service. */
  weekend: z.array(z.number().int().min(1).max(7)),
  /** The office day: a request received at or after `closes` (or on a day off) counts as received on the next working day. */
  officeHours: z.object({ opens: clock, closes: clock }),
  /** The years whose holidays the table resolves (first, last). */
  years: z.tuple([z.number().int(), z.number().int()]),
  days: z.array(calendarDaySchema),
});
/** The shipped table, parsed. */
export type CalendarFile = z.infer<typeof calendarFileSchema>;

/** An operator's file: days to add or replace (source defaults to OPERATOR), optionally other office hours or more years. */
export const calendarExtensionSchema = z
  .object({
    about: z.union([z.string(), z.array(z.string())]).optional(),
    officeHours: z.object({ opens: clock, closes: clock }).optional(),
    years: z.tuple([z.number().int(), z.number().int()]).optional(),
    days: z.array(calendarDaySchema.extend({ source: z.enum(CALENDAR_DAY_SOURCES).default('OPERATOR') })),
  })
  .strict();
/** An operator's file, parsed. */
export type CalendarExtension = z.infer<typeof calendarExtensionSchema>;

/** The calendar deadlines count in. Build it with {@link buildCalendar}. */
export interface WorkingCalendar {
  /** Always Asia/Ho_Chi_Minh: UTC+7 all year. */
  readonly timeZone: 'Asia/Ho_Chi_Minh';
  readonly utcOffsetMinutes: 420;
  readonly weekend: ReadonlySet<number>;
  readonly officeHours: { readonly opens: string; readonly closes: string };
  /** The years whose holidays are resolved; outside them only weekends and what an operator listed count. */
  readonly years: readonly [number, number];
  /** The listed dates, by `YYYY-MM-DD`. */
  readonly days: ReadonlyMap<string, CalendarDay>;
}

/**
 * The calendar from the shipped table and the operator's extensions, in order (a later entry for a date replaces an
 * earlier one). Throws a zod error naming the path when a file is malformed.
 */
export function buildCalendar(table: unknown, ...extensions: unknown[]): WorkingCalendar {
  const base = calendarFileSchema.parse(table);
  const days = new Map<string, CalendarDay>();
  for (const day of base.days) days.set(day.date, day);
  let officeHours = base.officeHours;
  let years = base.years;
  for (const raw of extensions) {
    const extension = calendarExtensionSchema.parse(raw);
    for (const day of extension.days) days.set(day.date, day);
    officeHours = extension.officeHours ?? officeHours;
    if (extension.years !== undefined) years = [Math.min(years[0], extension.years[0]), Math.max(years[1], extension.years[1])];
  }
  return { timeZone: 'Asia/Ho_Chi_Minh', utcOffsetMinutes: 420, weekend: new Set(base.weekend), officeHours, years, days };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD`. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** The `YYYY-MM-DD` `n` days after `date` (n may be negative). */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whether civil servants work on `date`: not a weekend day unless made a working day, not a listed day off. */
export function isWorkingDay(calendar: WorkingCalendar, date: string): boolean {
  const listed = calendar.days.get(date);
  if (listed !== undefined) return listed.kind === 'WORKING_DAY';
  return !calendar.weekend.has(isoWeekday(date));
}

/** The first working day after `date`. */
export function nextWorkingDay(calendar: WorkingCalendar, date: string): string {
  let day = addDays(date, 1);
  // A run of days off is at most a few weeks; the bound only guards against a calendar with no working day at all.
  for (let i = 0; i < 366 && !isWorkingDay(calendar, day); i++) day = addDays(day, 1);
  return day;
}
