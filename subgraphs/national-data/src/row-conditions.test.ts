/** Row conditions from the gateway's principal, enforced per record over HTTP against the real simulator. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, loadConfig, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { WELL_KNOWN } from '@lgsp/simulator/well-known';
import { configSchema } from './config.ts';
import { startNationalData, type RunningNationalData } from './service.ts';

let sim: RunningSimulator;
let service: RunningNationalData;
let issuer: InternalTokenIssuer;

const PERSONAL = 'national-data.citizen.personal';
const commune = (ward: string): Principal => ({
  kind: 'system',
  agencyCode: '000.00.20.H41',
  systemId: 'ubnd-truongvinh-motcua',
  roles: [],
  scopes: [],
  purpose: 'public-service:HS-1',
  rowConditions: { [PERSONAL]: [{ residentOfWard: ward }] },
});

async function graphql(principal: Principal, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(principal)}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: Array<{ path?: Array<string | number>; extensions?: { code?: string } }> };
}

before(async () => {
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const config = loadConfig('national-data', configSchema, { PORT: '0', NATIONAL_PLATFORM_URL: sim.url });
  service = await startNationalData(config, {
    verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    logger: createLogger('national-data-test', 'silent'),
  });
});
after(async () => {
  await service.close();
  await sim.close();
});

const QUERY = `query($ids: [String!]!) { citizens(personalIds: $ids) { personalId fullName dateOfBirth permanentAddress { ward { code } } currentAddress { ward { code } } household { number } } }`;

describe('row conditions (residentOfWard)', () => {
  test('a citizen of the ward: every field; a citizen elsewhere: personal fields null with an error each, the rest served', async () => {
    // The household head lives in ward 16750 (see service.test.ts); the Hà Nội head does not.
    const body = await graphql(commune('16750'), QUERY, { ids: [WELL_KNOWN.citizens.householdHead, WELL_KNOWN.citizens.hanoiHead] });
    const [inside, outside] = body.data.citizens;
    assert.equal(inside.dateOfBirth, '1974-06-17');
    assert.equal(inside.permanentAddress.ward.code, '16750');
    assert.notEqual(inside.household, null);
    assert.equal(outside.fullName, 'Nguyễn Ngọc Hiếu');
    assert.deepEqual([outside.dateOfBirth, outside.permanentAddress, outside.currentAddress, outside.household], [null, null, null, null]);
    assert.deepEqual((body.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]).sort(), [
      ['citizens.1.currentAddress', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ['citizens.1.dateOfBirth', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ['citizens.1.household', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ['citizens.1.permanentAddress', 'UNAUTHORIZED_FIELD_OR_TYPE'],
    ]);
  });

  test('a condition for another ward admits neither; without row conditions (e.g. the Police) everything is served', async () => {
    const body = await graphql(commune('16690'), QUERY, { ids: [WELL_KNOWN.citizens.householdHead] });
    assert.equal(body.data.citizens[0].dateOfBirth, null);
    assert.equal(body.data.citizens[0].fullName, 'Trần Quốc Hòa');
    const { rowConditions: _dropped, ...police } = { ...commune('16690'), agencyCode: '000.00.02.H41' };
    const served = await graphql(police, QUERY, { ids: [WELL_KNOWN.citizens.householdHead] });
    assert.equal(served.errors, undefined);
    assert.equal(served.data.citizens[0].dateOfBirth, '1974-06-17');
  });

  test('the current residence counts too (registered elsewhere, living in the ward)', async () => {
    const probe = await graphql({ ...commune('00000'), rowConditions: undefined }, QUERY, { ids: [WELL_KNOWN.citizens.livesElsewhere] });
    const current = probe.data.citizens[0].currentAddress.ward.code as string;
    assert.notEqual(current, probe.data.citizens[0].permanentAddress.ward.code);
    const body = await graphql(commune(current), QUERY, { ids: [WELL_KNOWN.citizens.livesElsewhere] });
    assert.equal(body.errors, undefined);
    assert.notEqual(body.data.citizens[0].dateOfBirth, null);
  });
});
