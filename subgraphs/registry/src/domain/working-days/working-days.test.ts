import assert from 'node:assert/strict';
import { test } from 'node:test';
import table from '../../data/calendar/vn-working-days.json' with { type: 'json' };
import {
  workingDaysLeft,
  buildCalendar,
  calendarFileSchema,
  deadline,
  DEADLINES,
  dueDate,
  hungKingsDay,
  isOverdue,
  isoWeekday,
  isWorkingDay,
  statutoryDays,
  tetDay,
  type CalendarDay,
} from './index.ts';

const calendar = buildCalendar(table);
const days = calendarFileSchema.parse(table).days;
const ofYear = (year: number) => days.filter((d) => d.date.startsWith(`${year}-`));
const YEARS = [2024, 2025, 2026, 2027, 2028, 2029, 2030];
/** An instant given in Vietnamese local time. */
const local = (dateTime: string) => new Date(`${dateTime}+07:00`);

test('each year has the 11 statutory days off of the Labour Code (art. 112.1): weekdays off minus Saturdays worked', () => {
  for (const year of YEARS) {
    const entries = ofYear(year);
    const weekdaysOff = entries.filter((d) => d.kind !== 'WORKING_DAY' && isoWeekday(d.date) <= 5).length;
    const weekendsWorked = entries.filter((d) => d.kind === 'WORKING_DAY').length;
    assert.equal(weekdaysOff - weekendsWorked, 11, `${year}: ${weekdaysOff} weekdays off, ${weekendsWorked} Saturdays worked`);
    for (const d of entries) {
      if (d.kind === 'WORKING_DAY') assert.ok(isoWeekday(d.date) >= 6, `${d.date}: a working day listed is a weekend day made one`);
      if (d.kind === 'DAY_OFF') assert.ok(isoWeekday(d.date) <= 5, `${d.date}: a day off listed is a weekday`);
    }
  }
  assert.equal(new Set(days.map((d) => d.date)).size, days.length, 'one entry per date');
});

test('the lunar holidays are resolved at UTC+7: Hùng Kings on 10/3, Tết around the 1st of the 1st month', () => {
  // Independent anchors: the dates the Government announced (2024–2026) and Tết 2030 on a Saturday in Viet Nam.
  assert.deepEqual(
    [2024, 2025, 2026].map((y) => [tetDay(y), hungKingsDay(y)]),
    [
      ['2024-02-10', '2024-04-18'],
      ['2025-01-29', '2025-04-07'],
      ['2026-02-17', '2026-04-26'],
    ],
  );
  assert.equal(tetDay(2030), '2030-02-02');
  for (const year of YEARS) {
    const hung = calendar.days.get(hungKingsDay(year));
    assert.equal(hung?.kind, 'HOLIDAY', `${year}: Giỗ Tổ ${hungKingsDay(year)}`);
    assert.match(hung.name, /Hùng Vương/);
    // Tết: mùng 1 is off (a listed holiday or a weekend day), and so is each weekday of the three days after it.
    const tet = tetDay(year);
    assert.ok(!isWorkingDay(calendar, tet), `${year}: Tết ${tet} is a day off`);
    const tetDays = ofYear(year).filter((d) => d.name.includes('Tết Nguyên đán') && isoWeekday(d.date) <= 5);
    assert.equal(tetDays.length, 5, `${year}: five Tết weekdays`);
  }
});

test('years not yet decided hold exactly what the Labour Code rule gives; decided years say which days are official', () => {
  for (const year of [2027, 2028, 2029, 2030]) assert.deepEqual(ofYear(year), statutoryDays(year), `${year}`);
  const official = (year: number) =>
    ofYear(year)
      .filter((d) => d.source === 'OFFICIAL')
      .map((d) => `${d.date} ${d.kind}`);
  assert.deepEqual(official(2026), [
    '2026-01-02 DAY_OFF',
    '2026-01-10 WORKING_DAY',
    '2026-02-16 HOLIDAY',
    '2026-02-17 HOLIDAY',
    '2026-02-18 HOLIDAY',
    '2026-02-19 HOLIDAY',
    '2026-02-20 HOLIDAY',
    '2026-08-22 WORKING_DAY',
    '2026-08-31 DAY_OFF',
    '2026-09-01 HOLIDAY',
  ]);
  assert.deepEqual(official(2025), [
    '2025-01-27 HOLIDAY',
    '2025-01-28 HOLIDAY',
    '2025-01-29 HOLIDAY',
    '2025-01-30 HOLIDAY',
    '2025-01-31 HOLIDAY',
    '2025-04-26 WORKING_DAY',
    '2025-05-02 DAY_OFF',
    '2025-09-01 HOLIDAY',
  ]);
  // 2026's Hùng Kings day falls on a Sunday: the Monday off comes from the law itself, not a decision.
  assert.deepEqual(calendar.days.get('2026-04-27')?.source, 'LABOUR_CODE');
  for (const d of days) assert.ok(d.basis.length > 10, `${d.date} cites its basis`);
});

test('deadlines on real dates: the Friday before Tết 2026, office hours, swapped Saturdays', () => {
  const cases: Array<[string, number, string, string]> = [
    // received (local time), working days, day it counts as received, last day of the period
    ['2026-02-13T10:00', 5, '2026-02-13', '2026-02-27'], // Friday before Tết Bính Ngọ: 23–27 February
    ['2026-02-13T17:30', 5, '2026-02-23', '2026-03-02'], // after office hours: received when the office reopens
    ['2026-02-14T09:00', 5, '2026-02-23', '2026-03-02'], // Saturday, first day of the Tết break
    ['2026-02-23T06:00', 5, '2026-02-23', '2026-03-02'], // before opening on a working day: that day
    ['2026-02-12T16:59', 5, '2026-02-12', '2026-02-26'], // one minute before closing, Thursday
    ['2026-08-21T09:00', 5, '2026-08-21', '2026-08-27'], // Saturday 22/8/2026 is worked (swap for Monday 31/8)
    ['2026-08-27T09:00', 5, '2026-08-27', '2026-09-08'], // 29/8–2/9/2026 off: Fri 28, Thu 3, Fri 4, Mon 7, Tue 8
    ['2025-04-25T09:00', 5, '2025-04-25', '2025-05-06'], // Saturday 26/4/2025 worked; 30/4, 1/5, 2/5 off
    ['2025-12-31T16:59', 5, '2025-12-31', '2026-01-09'], // 1/1 and the swapped 2/1/2026 off
    ['2025-12-31T16:59', 6, '2025-12-31', '2026-01-10'], // … and Saturday 10/1/2026 is a working day
    ['2026-04-20T10:00', DEADLINES.REGISTRATION, '2026-04-20', '2026-05-04'], // Hùng Kings' Monday off, 30/4, 1/5
    ['2030-01-31T10:00', 5, '2030-01-31', '2030-02-14'], // projected Tết 2030: 1 and 4–7 February off; 8, 11–14
  ];
  for (const [received, workingDays, receivedOn, dueDay] of cases) {
    const result = deadline(local(received), workingDays, calendar);
    assert.equal(result.receivedOn, receivedOn, `${received}: received on`);
    assert.equal(result.dueDay, dueDay, `${received} + ${workingDays}`);
    // The period ends at 24:00 local time of its last day, i.e. 17:00 UTC.
    assert.equal(result.dueAt.toISOString(), `${dueDay}T17:00:00.000Z`);
    assert.equal(dueDate(local(received), workingDays, calendar).getTime(), result.dueAt.getTime());
    assert.ok(result.calendarCovers);
  }
});

test('overdue from the end of the last working day; outside the table only weekends count, and it says so', () => {
  const due = dueDate(local('2026-02-13T10:00'), DEADLINES.ACCESS_REQUEST, calendar);
  assert.equal(isOverdue(due, local('2026-02-27T23:59:59.999')), false);
  assert.equal(isOverdue(due, local('2026-02-28T00:00')), true);
  const late = deadline(local('2030-12-30T10:00'), 5, calendar);
  assert.equal(late.dueDay, '2031-01-06'); // 1/1/2031 is not in the table: counted as a Wednesday
  assert.equal(late.calendarCovers, false);
  assert.throws(() => deadline(new Date('nope'), 5, calendar), RangeError);
  assert.throws(() => deadline(local('2026-02-13T10:00'), 0, calendar), RangeError);
});

test('an operator file adds and corrects days: a later entry for a date wins', () => {
  const cultureDay: CalendarDay = { date: '2026-11-24', kind: 'HOLIDAY', name: 'Ngày Văn hóa Việt Nam', source: 'OFFICIAL', basis: 'example' };
  assert.equal(deadline(local('2026-11-23T10:00'), 5, calendar).dueDay, '2026-11-30');
  const extended = buildCalendar(table, { days: [cultureDay] });
  assert.equal(deadline(local('2026-11-23T10:00'), 5, extended).dueDay, '2026-12-01');
  // Undo the swapped Saturday, with the source defaulting to OPERATOR.
  const corrected = buildCalendar(table, { days: [{ date: '2026-08-22', kind: 'DAY_OFF', name: 'Không làm bù', basis: 'sửa của vận hành' }] });
  assert.equal(corrected.days.get('2026-08-22')?.source, 'OPERATOR');
  assert.equal(deadline(local('2026-08-21T09:00'), 5, corrected).dueDay, '2026-08-28');
  // Office hours and the years covered can move too.
  const lateOffice = buildCalendar(table, { officeHours: { opens: '07:00', closes: '17:30' }, years: [2024, 2031], days: [] });
  assert.equal(deadline(local('2026-02-13T17:15'), 5, lateOffice).dueDay, '2026-02-27');
  assert.equal(deadline(local('2030-12-30T10:00'), 5, lateOffice).calendarCovers, true);
  for (const bad of [
    { days: [{ date: '2026-02-30', kind: 'HOLIDAY', name: 'x', basis: 'y' }] },
    { days: [{ date: '2026-02-03', kind: 'HALF_DAY', name: 'x', basis: 'y' }] },
    { days: [], weekend: [5, 6] },
    { officeHours: { opens: '7:00', closes: '17:00' }, days: [] },
  ])
    assert.throws(() => buildCalendar(table, bad), { name: 'ZodError' }, JSON.stringify(bad));
});

test('working days left: counts the working days after today up to the due day, negative once overdue', () => {
  // Received Friday 13 February 2026 10:00 (before Tết Bính Ngọ): due at the end of Friday 27 February.
  const due = dueDate(new Date('2026-02-13T03:00:00Z'), 5, calendar);
  assert.equal(due.toISOString(), '2026-02-27T17:00:00.000Z');
  assert.equal(workingDaysLeft(due, new Date('2026-02-13T03:00:00Z'), calendar), 5, 'the Tết days off do not count');
  assert.equal(workingDaysLeft(due, new Date('2026-02-20T03:00:00Z'), calendar), 5, 'during Tết still five');
  assert.equal(workingDaysLeft(due, new Date('2026-02-26T03:00:00Z'), calendar), 1);
  assert.equal(workingDaysLeft(due, new Date('2026-02-27T16:59:00Z'), calendar), 0, 'due at the end of today');
  assert.equal(workingDaysLeft(due, new Date('2026-02-28T03:00:00Z'), calendar), -1, 'overdue on the Saturday after');
  assert.equal(workingDaysLeft(due, new Date('2026-03-03T03:00:00Z'), calendar), -2, 'Monday and Tuesday since');
});
