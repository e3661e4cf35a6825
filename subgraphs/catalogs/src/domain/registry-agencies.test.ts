import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { defaultAgencies } from '../data/defaults.ts';
import { agencyRowsFromRegistry, diffAgencies, sameAgencies, type RegistryAgencyRecord } from './registry-agencies.ts';

const record = (code: string, more: Partial<RegistryAgencyRecord> = {}): RegistryAgencyRecord => ({
  code,
  name: `Cơ quan ${code}`,
  shortName: null,
  parentCode: null,
  status: 'ACTIVE',
  successorCodes: [],
  effectiveFrom: null,
  ...more,
});
const failsWith = (code: string, message: RegExp) => (error: unknown) => error instanceof LgspError && error.code === code && message.test(error.message);

test('what the registry does not hold is kept from the current version for the same code, else left empty', () => {
  const development = defaultAgencies().payload;
  const police = development.find((a) => a.code === '000.00.02.H41')!;
  const rows = agencyRowsFromRegistry(
    [record('000.00.40.H41'), record('000.00.02.H41', { name: 'Công an tỉnh Nghệ An', status: 'RENAMED', successorCodes: ['000.00.40.H41'] })],
    development,
  );
  assert.deepEqual(
    rows.map((r) => r.code),
    ['000.00.02.H41', '000.00.40.H41'],
    'sorted by code',
  );
  assert.deepEqual(rows[0], {
    ...police,
    name: 'Công an tỉnh Nghệ An',
    shortName: null,
    parentCode: null,
    status: 'RENAMED',
    successorCodes: ['000.00.40.H41'],
    effectiveFrom: null,
  });
  assert.equal(rows[1]!.kind, 'OTHER');
  assert.equal(rows[1]!.englishName, null);
  const withKind = agencyRowsFromRegistry([record('000.00.40.H41', { kind: 'HOSPITAL', englishName: 'Hospital' })], development);
  assert.equal(withKind[0]!.kind, 'HOSPITAL');
  assert.equal(withKind[0]!.englishName, 'Hospital');
});

test('a list the catalog cannot serve is refused whole, naming the record', () => {
  assert.throws(() => agencyRowsFromRegistry([record('000.00.01.H41'), record('H41')], []), failsWith(ErrorCode.INVALID_AGENCY_CODE, /registry agency H41/));
  assert.throws(() => agencyRowsFromRegistry([record('000.00.01.H41'), record('000.00.01.H41')], []), failsWith(ErrorCode.BAD_USER_INPUT, /listed twice/));
  assert.throws(
    () => agencyRowsFromRegistry([record('000.00.01.H41', { status: 'GONE' as never })], []),
    failsWith(ErrorCode.BAD_USER_INPUT, /unknown status GONE/),
  );
});

test('rows without lifecycle fields (versions before the registry) equal ACTIVE rows; any field change is a change', () => {
  const development = defaultAgencies().payload;
  const explicit = development.map((a) => ({ ...a, status: 'ACTIVE' as const, successorCodes: [], effectiveFrom: null }));
  assert.ok(sameAgencies(development, [...explicit].reverse()));
  const dissolved = explicit.map((a, i) => (i === 3 ? { ...a, status: 'DISSOLVED' as const } : a));
  assert.deepEqual(diffAgencies(development, dissolved.slice(1).concat({ ...explicit[0]!, code: '000.00.99.H41' })), {
    added: ['000.00.99.H41'],
    removed: [explicit[0]!.code],
    changed: [explicit[3]!.code],
  });
});
