/** Dates and numbers as the portal shows them: `vi-VN` (or `en-GB`), in Asia/Ho_Chi_Minh. Shared with the provider pages. */
import type { Lang } from '../../shell/i18n.tsx';

const ZONE = 'Asia/Ho_Chi_Minh';

export function dateTime(value: string | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: ZONE, dateStyle: 'short', timeStyle: 'short' }).format(date);
}

export function dateOnly(value: string | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value.length === 10 ? `${value}T00:00:00+07:00` : value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: ZONE, dateStyle: 'short' }).format(date);
}

export function number(value: number | null | undefined, lang: Lang, digits = 0): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits }).format(value);
}

/** Today in Vietnam, `YYYY-MM-DD`. */
export function vietnamToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export const DAY_MS = 86_400_000;
