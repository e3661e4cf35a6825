/** Small helpers the operator, civil-servant and citizen screens share: dates in Vietnam time, working-day deadlines. */
import type { Lang } from '../i18n.tsx';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** A date and time in Vietnam time, `vi-VN` (or `en-GB`) format; '—' when absent. */
export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: TIME_ZONE, dateStyle: 'short', timeStyle: 'short' });
}

/** A date (no time) in Vietnam time. */
export function formatDate(iso: string | null | undefined, lang: Lang): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
}

/** Whole days from now until `iso` (negative: past), counted in calendar days for the "còn N ngày" hint. */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.ceil((new Date(iso).getTime() - now) / 86_400_000);
}

/** Trimmed comma- or line-separated values. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[,\n]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
