/** The statistics period picker's choices: the last months, quarters and years (Vietnam time), newest first. */
import { vietnamToday } from './format.ts';

export type PeriodKind = 'month' | 'quarter' | 'year';

export interface PeriodChoice {
  /** As `statistics(period:)` takes it: `2026-11`, `2026-Q4`, `2026`. */
  value: string;
  label: { vi: string; en: string };
}

const ROMAN = ['I', 'II', 'III', 'IV'];

export function periodChoices(kind: PeriodKind, now = new Date()): PeriodChoice[] {
  const [y, m] = vietnamToday(now).split('-').map(Number) as [number, number];
  const out: PeriodChoice[] = [];
  if (kind === 'month') {
    for (let i = 0; i < 12; i++) {
      const index = y * 12 + (m - 1) - i;
      const year = Math.floor(index / 12);
      const month = (index % 12) + 1;
      const mm = String(month).padStart(2, '0');
      out.push({ value: `${year}-${mm}`, label: { vi: `Tháng ${mm}/${year}`, en: `${year}-${mm}` } });
    }
  } else if (kind === 'quarter') {
    const current = y * 4 + Math.floor((m - 1) / 3);
    for (let i = 0; i < 8; i++) {
      const index = current - i;
      const year = Math.floor(index / 4);
      const q = (index % 4) + 1;
      out.push({ value: `${year}-Q${q}`, label: { vi: `Quý ${ROMAN[q - 1]}/${year}`, en: `Q${q} ${year}` } });
    }
  } else {
    for (let i = 0; i < 3; i++) out.push({ value: String(y - i), label: { vi: `Năm ${y - i}`, en: String(y - i) } });
  }
  return out;
}
