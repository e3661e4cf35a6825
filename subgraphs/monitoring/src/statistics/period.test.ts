/** Reporting periods: every accepted form and every refused one, as data. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { daysOf, monthsOf, parsePeriod, periodInstants } from './period.ts';

// 2026-12-06 10:00 in Vietnam.
const NOW = new Date('2026-12-06T03:00:00Z');

const accepted: Array<[string, string, string, string, string]> = [
  ['2026-11', 'MONTH', '2026-11-01', '2026-11-30', 'tháng 11/2026'],
  ['2026-02', 'MONTH', '2026-02-01', '2026-02-28', 'tháng 02/2026'],
  ['2024-02', 'MONTH', '2024-02-01', '2024-02-29', 'tháng 02/2024'],
  ['2026-Q4', 'QUARTER', '2026-10-01', '2026-12-31', 'quý IV/2026'],
  ['2026-Q1', 'QUARTER', '2026-01-01', '2026-03-31', 'quý I/2026'],
  ['2026', 'YEAR', '2026-01-01', '2026-12-31', 'năm 2026'],
  ['2026-11-05', 'DAY', '2026-11-05', '2026-11-05', 'ngày 05/11/2026'],
  ['2026-12-06', 'DAY', '2026-12-06', '2026-12-06', 'ngày 06/12/2026'],
  ['2026-12', 'MONTH', '2026-12-01', '2026-12-31', 'tháng 12/2026'],
];

const refused: Array<[string, RegExp]> = [
  ['2026-13', /no month 13/],
  ['2026-00', /no month 00/],
  ['2026-Q5', /no quarter 5/],
  ['2026-Q0', /no quarter 0/],
  ['2026-02-30', /02\/2026 has 28 days/],
  ['2026-11-31', /11\/2026 has 30 days/],
  ['2026-12-07', /has not started yet .*2026-12-07.*today is 2026-12-06/],
  ['2027', /has not started yet/],
  ['2027-Q1', /has not started yet/],
  ['1999', /outside the years/],
  ['2026-q4', /is not a period/],
  ['2026/11', /is not a period/],
  ['11-2026', /is not a period/],
  ['', /is not a period/],
  ['2026-1', /is not a period/],
  ['2026-11-5', /is not a period/],
  ['November', /is not a period/],
];

describe('reporting periods', () => {
  for (const [text, kind, fromDay, toDay, label] of accepted) {
    it(`${text} is the ${kind.toLowerCase()} ${fromDay}…${toDay}`, () => {
      assert.deepEqual(parsePeriod(text, NOW), { text, kind, fromDay, toDay, label });
    });
  }
  for (const [text, message] of refused) {
    it(`"${text}" is INVALID_PERIOD`, () => {
      assert.throws(
        () => parsePeriod(text, NOW),
        (e: unknown) => e instanceof LgspError && e.code === ErrorCode.INVALID_PERIOD && message.test(e.message) && e.details?.period === text,
      );
    });
  }
  it('bounds a range of Vietnam days by UTC instants', () => {
    assert.deepEqual(periodInstants('2026-11-01', '2026-11-30'), { from: '2026-10-31T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z' });
    assert.equal([...daysOf('2026-02-27', '2026-03-02')].join(','), '2026-02-27,2026-02-28,2026-03-01,2026-03-02');
    assert.deepEqual(monthsOf('2026-10-01', '2026-12-31'), ['2026-10', '2026-11', '2026-12']);
  });
});
