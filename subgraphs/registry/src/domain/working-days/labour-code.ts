/**
 * The statutory days off of a year by the Labour Code 2019 (Bộ luật Lao động 45/2019/QH14) art. 112 alone, for the
 * civil service's Saturday–Sunday week: what the calendar table holds for a year before the Government's decisions
 * for it are known (source LABOUR_CODE or PROJECTED), and what the table's test compares it with.
 *
 * - art. 112.1: 1 January; five Tết days; the Hùng Kings' day (10/3 lunar); 30 April; 1 May; 2 September and one
 *   day next to it.
 * - art. 112.3: a holiday on a weekly rest day is made up on the next working day (nghỉ bù).
 * - Where the law leaves the choice to the Prime Minister (art. 112.1b, 112.1đ), **our rule** (PROJECTED): the five
 *   Tết days are the last day of the old year (giao thừa) and the 1st–4th of the new one (as decided for 2023 and 2026);
 *   the day next to 2 September is the one that joins it to a weekend (Monday → 3/9, Tuesday–Wednesday → 1/9,
 *   Thursday → 3/9, Friday–Saturday → 1/9, Sunday → 3/9), as decided 2021–2026 where that was possible without a swap.
 * - Day swaps (hoán đổi, làm bù) are decided year by year and are never projected.
 */
import { addDays, isoWeekday, type CalendarDay } from './calendar.ts';
import { hungKingsDay, tetDay } from './lunar.ts';

const LAW = 'Bộ luật Lao động 2019, Điều 112';
const isWeekend = (date: string) => isoWeekday(date) >= 6;

/** The day next to 2 September that our rule gives, by the weekday of 2 September. */
function nationalDayNeighbour(year: number): string {
  const second = `${year}-09-02`;
  const before = ['', false, true, true, false, true, true, false][isoWeekday(second)];
  return before ? `${year}-09-01` : `${year}-09-03`;
}

/** The statutory days off of `year` (holidays, then the make-up days of those on a weekend), sorted by date. */
export function statutoryDays(year: number): CalendarDay[] {
  const holidays: CalendarDay[] = [];
  const add = (date: string, name: string, source: 'LABOUR_CODE' | 'PROJECTED', clause: string) =>
    holidays.push({ date, kind: 'HOLIDAY', name, source, basis: `${LAW}${clause}` });

  add(`${year}-01-01`, 'Tết Dương lịch', 'LABOUR_CODE', '.1a');
  const tet = tetDay(year);
  add(addDays(tet, -1), 'Tết Nguyên đán (giao thừa)', 'PROJECTED', '.1b; five days chosen by our rule until the Prime Minister decides');
  for (let i = 0; i < 4; i++)
    add(addDays(tet, i), `Tết Nguyên đán (mùng ${i + 1})`, 'PROJECTED', '.1b; five days chosen by our rule until the Prime Minister decides');
  add(hungKingsDay(year), 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'LABOUR_CODE', '.1đ');
  add(`${year}-04-30`, 'Ngày Chiến thắng', 'LABOUR_CODE', '.1c');
  add(`${year}-05-01`, 'Ngày Quốc tế lao động', 'LABOUR_CODE', '.1d');
  add(`${year}-09-02`, 'Quốc khánh', 'LABOUR_CODE', '.1đ');
  add(nationalDayNeighbour(year), 'Quốc khánh (ngày liền kề)', 'PROJECTED', '.1đ; the adjacent day chosen by our rule until the Prime Minister decides');
  holidays.sort((a, b) => a.date.localeCompare(b.date));

  // art. 112.3: each holiday on a weekend is made up on the next day that is neither a weekend day, a holiday nor
  // already a make-up day — after the run of holidays it belongs to.
  const taken = new Set(holidays.map((h) => h.date));
  const makeUp: CalendarDay[] = [];
  for (const holiday of holidays) {
    if (!isWeekend(holiday.date)) continue;
    let day = addDays(holiday.date, 1);
    while (isWeekend(day) || taken.has(day)) day = addDays(day, 1);
    taken.add(day);
    makeUp.push({ date: day, kind: 'DAY_OFF', name: `Nghỉ bù ${holiday.name} (${holiday.date})`, source: holiday.source, basis: `${LAW}.3` });
  }
  return [...holidays, ...makeUp].sort((a, b) => a.date.localeCompare(b.date));
}
