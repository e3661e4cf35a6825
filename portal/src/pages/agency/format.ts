/** Dates and numbers as the portal shows them: `vi-VN` (or `en-GB`), in Asia/Ho_Chi_Minh. Shared with the provider pages. */
import type { Lang } from '../../shell/i18n.tsx';

const ZONE = 'Asia/Ho_Chi_Minh';

export function dateTime(value: string | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date);
}

export function dateOnly(value: string | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value.length === 10 ? `${value}T00:00:00+07:00` : value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: ZONE, day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
}

export function number(value: number | null | undefined, lang: Lang, digits = 0): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits }).format(value);
}

export { vietnamToday } from '../../shell/ui/vietnam-time.ts';

export const DAY_MS = 86_400_000;

/** Every day from `from` to `to` (inclusive, `YYYY-MM-DD`), at most 400. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < 400; t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Every month from `from` to `to` (`YYYY-MM`, taken from days or months). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const end = to.slice(0, 7);
  while (out.length < 120) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > end) break;
    out.push(month);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}
