/**
 * What an operation touches, as the audit records it, on the committed supergraph and the development field sets:
 * a table of operations and the fields, personal fields, providers and subjects each gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'graphql';
import { readGrantsFile } from '@lgsp/access';
import { compileAuthorization } from '../authorization/metadata.ts';
import { DEVELOPMENT_GRANTS_FILE } from '../authorization/config.ts';
import { loadSupergraph } from '../federation/supergraph.ts';
import { analyseOperation } from './operation-analysis.ts';
import { SubjectCollector } from './subjects.ts';

const supergraph = loadSupergraph(await readFile(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8'));
const authz = compileAuthorization(supergraph.document);
const { fieldSets } = await readGrantsFile(DEVELOPMENT_GRANTS_FILE);
const context = { schema: authz.schema, authz, fieldSets: new Map(fieldSets.map((f) => [f.policy, f])) };

const CASES: Array<{
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  response?: unknown;
  personal: string[];
  notPersonal: string[];
  providers: Record<string, string[]>;
  subjects: string[];
}> = [
  {
    name: 'a citizen: its fields are personal (type policy), a ward name is not; IDs from the argument and the response',
    query: 'query ($id: String!) { citizen(personalId: $id) { fullName household { members { personalId } } permanentAddress { ward { name } } } }',
    variables: { id: '040074988660' },
    response: { citizen: { fullName: 'x', household: { members: [{ personalId: '036180777846' }, { personalId: '040201000001' }] }, permanentAddress: null } },
    personal: ['Query.citizen', 'Citizen.fullName', 'Citizen.household', 'Citizen.permanentAddress'],
    notPersonal: ['AdministrativeUnit.name', 'Address.ward', 'HouseholdMember.personalId'],
    providers: { 'national-data': ['000.00.02.H41'] },
    subjects: ['personal-id:040074988660', 'personal-id:036180777846', 'personal-id:040201000001'],
  },
  {
    name: 'citizens by a literal list; aliases and fragments followed in the response',
    query: 'query { people: citizens(personalIds: ["040074988660", "036180777846"]) { ...Who } } fragment Who on Citizen { id: personalId }',
    response: { people: [{ id: '040074988660' }, null] },
    personal: ['Query.citizens', 'Citizen.personalId'],
    notPersonal: [],
    providers: { 'national-data': ['000.00.02.H41'] },
    subjects: ['personal-id:040074988660', 'personal-id:036180777846'],
  },
  {
    name: 'an enterprise: not personal data, its code is a subject; the representative’s ID is personal',
    query: '{ enterprise(code: "5224442797") { code name legalRepresentative { fullName personalId } } }',
    response: { enterprise: { code: '5224442797', name: 'x', legalRepresentative: { fullName: 'y', personalId: '040074988660' } } },
    personal: ['LegalRepresentative.personalId'],
    notPersonal: ['Query.enterprise', 'Enterprise.code', 'Enterprise.name', 'LegalRepresentative.fullName'],
    providers: { 'national-data': ['000.00.03.H41'] },
    subjects: ['enterprise-code:5224442797', 'personal-id:040074988660'],
  },
  {
    name: 'a catalog: no policy, nothing personal, no subject (its `code` argument is not an enterprise’s)',
    query: '{ administrativeUnit(code: "40") { code name } }',
    response: { administrativeUnit: { code: '40', name: 'Nghệ An' } },
    personal: [],
    notPersonal: ['Query.administrativeUnit', 'AdministrativeUnit.code', 'AdministrativeUnit.name'],
    providers: {},
    subjects: [],
  },
];

for (const c of CASES) {
  test(c.name, () => {
    const analysis = analyseOperation(context, parse(c.query), undefined);
    for (const field of [...c.personal, ...c.notPersonal]) assert.ok(analysis.fields.includes(field), `${field} selected: ${analysis.fields.join(', ')}`);
    assert.ok(!analysis.fields.some((f) => f.includes('__')));
    assert.deepEqual(analysis.personalFields.toSorted(), c.personal.toSorted());
    assert.deepEqual(Object.fromEntries(analysis.fieldSetProviders), c.providers);
    const collector = new SubjectCollector();
    for (const { kind, value } of analysis.argumentSubjects) collector.fromArgument(kind, value, c.variables);
    if (analysis.responsePlan !== undefined) collector.fromResponse(analysis.responsePlan, c.response);
    assert.deepEqual(
      collector
        .subjects()
        .map((s) => `${s.kind}:${s.value}`)
        .toSorted(),
      c.subjects.toSorted(),
    );
    if (c.subjects.length === 0) assert.equal(analysis.responsePlan, undefined);
  });
}
