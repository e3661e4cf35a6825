import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFileAgencyDirectory, createListAgencyDirectory, type AgencyRecord, type RelayRoute, type RouteRefusal } from './agency-directory.ts';

describe('agency directory (development data of the catalogs)', () => {
  const directory = createFileAgencyDirectory();

  it('knows the development agencies and their units', async () => {
    assert.equal((await directory.get('000.00.00.H41'))?.shortName, 'UBND tỉnh Nghệ An');
    assert.equal((await directory.get('000.00.00.H41'))?.status, 'ACTIVE');
    assert.equal(await directory.get('000.00.00.X99'), null);
    const units = await directory.children('000.00.05.H41');
    assert.deepEqual(
      units.map((u) => u.code),
      ['000.01.05.H41'],
    );
  });

  it('searches names without accents, best match first', async () => {
    assert.deepEqual((await directory.search('so y te', 5)).map((a) => a.code)[0], '000.00.05.H41');
    assert.deepEqual(await directory.search('   ', 5), []);
  });

  it('lets listed agencies exchange anything with each other in both environments, never with themselves or strangers', async () => {
    assert.equal(await directory.mayReceive('000.00.03.H41', '000.00.04.H41', 'FILE', 'production'), true);
    assert.equal(await directory.mayReceive('000.00.03.H41', '000.00.04.H41', 'EDXML_DOCUMENT', 'test'), true);
    assert.equal(await directory.refusal('000.00.03.H41', '000.00.03.H41', 'FILE', 'production'), 'SAME_AGENCY');
    assert.equal(await directory.refusal('000.00.03.H41', '999.99.99.H41', 'FILE', 'production'), 'RECIPIENT_UNKNOWN');
  });
});

const agency = (code: string, status = 'ACTIVE', successorCodes: string[] = []): AgencyRecord => ({
  code,
  name: `Cơ quan ${code}`,
  shortName: null,
  parentCode: null,
  status,
  successorCodes,
});

// The registry's rule as data: P provides EDXML_DOCUMENT to consumers C1, C2 (production) and C3 (test only); P2
// provides JSON to C1 only; M merged into C1, D dissolved.
const AGENCIES = ['P', 'P2', 'C1', 'C2', 'C3', 'X'].map((c) => agency(c)).concat([agency('M', 'MERGED', ['C1']), agency('D', 'DISSOLVED')]);
const ROUTES: Record<'production' | 'test', RelayRoute[]> = {
  production: [
    { dataType: 'EDXML_DOCUMENT', provider: 'P', participants: ['C1', 'C2', 'M', 'D'] },
    { dataType: 'JSON', provider: 'P2', participants: ['C1'] },
  ],
  test: [{ dataType: 'EDXML_DOCUMENT', provider: 'P', participants: ['C1', 'C2', 'C3'] }],
};

/** [source, recipient, dataType, environment, the refusal (null: may send)]. */
const RULE: Array<[string, string, string, 'production' | 'test', RouteRefusal | null]> = [
  ['P', 'C1', 'EDXML_DOCUMENT', 'production', null],
  ['C1', 'P', 'EDXML_DOCUMENT', 'production', null], // either way: both are in {provider} ∪ participants
  ['C1', 'C2', 'EDXML_DOCUMENT', 'production', null], // two consumers of one route
  ['C3', 'P', 'EDXML_DOCUMENT', 'production', 'DATA_TYPE_NOT_ALLOWED'], // C3's request is in force in test only
  ['C3', 'P', 'EDXML_DOCUMENT', 'test', null],
  ['P', 'C3', 'EDXML_DOCUMENT', 'production', 'RECIPIENT_NOT_ALLOWED'],
  ['P', 'C1', 'JSON', 'production', 'DATA_TYPE_NOT_ALLOWED'], // P provides no JSON and consumes none
  ['P2', 'C1', 'JSON', 'production', null],
  ['P2', 'C2', 'JSON', 'production', 'RECIPIENT_NOT_ALLOWED'],
  ['C2', 'P2', 'JSON', 'production', 'DATA_TYPE_NOT_ALLOWED'],
  ['P2', 'C1', 'JSON', 'test', 'DATA_TYPE_NOT_ALLOWED'],
  ['P', 'C1', 'FILE', 'production', 'DATA_TYPE_NOT_ALLOWED'],
  ['P', 'P', 'EDXML_DOCUMENT', 'production', 'SAME_AGENCY'],
  ['P', 'M', 'EDXML_DOCUMENT', 'production', 'RECIPIENT_NOT_ACTIVE'], // routed, but merged
  ['D', 'P', 'EDXML_DOCUMENT', 'production', 'SOURCE_NOT_ACTIVE'],
  ['Z', 'P', 'EDXML_DOCUMENT', 'production', 'SOURCE_NOT_REGISTERED'],
  ['P', 'Z', 'EDXML_DOCUMENT', 'production', 'RECIPIENT_UNKNOWN'],
  ['X', 'P', 'EDXML_DOCUMENT', 'production', 'DATA_TYPE_NOT_ALLOWED'],
];

describe('the routes rule (source may send dataType to recipient)', () => {
  const directory = createListAgencyDirectory(AGENCIES, ROUTES);
  for (const [source, recipient, dataType, environment, expected] of RULE) {
    it(`${source} → ${recipient}, ${dataType}, ${environment}: ${expected ?? 'allowed'}`, async () => {
      assert.equal(await directory.refusal(source, recipient, dataType, environment), expected);
      assert.equal(await directory.mayReceive(source, recipient, dataType, environment), expected === null);
    });
  }

  it('gives an environment without routes none', async () => {
    const productionOnly = createListAgencyDirectory(AGENCIES, { production: ROUTES.production });
    assert.equal(await productionOnly.refusal('P', 'C1', 'EDXML_DOCUMENT', 'test'), 'DATA_TYPE_NOT_ALLOWED');
  });
});
