/**
 * Walks test/e2e/authorization-matrix.ts through the real platform: the development identity provider issues the
 * tokens (client assertions for systems, a code + PKCE login for civil servants, a VDXP sign-in brokered by the
 * issuer for citizens), the gateway authenticates and
 * authorizes, national-data reaches the simulator. Each row checks visible fields, denied fields with their error
 * at their path, and how many requests went to the national-data subgraph.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { developmentPassword, loadRealmExport } from '../../keycloak/src/realm.ts';
import { startPlatformFixture, type PlatformFixture } from '../testing/platform-fixture.ts';
import { vdxpCitizenLogin } from '../../gateway/src/testing/vdxp-login.ts';
import { callers, matrix, operations, type CallerName, type MatrixRow } from './authorization-matrix.ts';

const COMMUNE_WARD = '16690'; // Phường Trường Vinh, the commune agency's ward (catalogs' agency data)

let p: PlatformFixture;
const subjects: Record<NonNullable<MatrixRow['subject']>, string> = { citizenInWard: '', citizenElsewhere: '', enterprise: '' };
const tokens = new Map<CallerName, string | null>();

before(async () => {
  p = await startPlatformFixture({ redis: true });
  const inWard = (await (await fetch(`${p.platform.urls.simulator}/_sim/samples?count=1&ward=${COMMUNE_WARD}`)).json()) as {
    citizens: string[];
    enterprises: string[];
  };
  assert.equal(inWard.citizens.length, 1, `the simulator has a citizen living in ward ${COMMUNE_WARD}`);
  subjects.citizenInWard = inWard.citizens[0]!;
  const any = await p.simulator.samples(50);
  subjects.enterprise = any.enterprises[0]!;
  // Someone whose permanent residence is elsewhere (the Police may read it to check).
  const police = await p.tokenFor('congan-h41-dancu');
  const { body } = await p.query(
    'query($ids: [String!]!) { citizens(personalIds: $ids) { personalId permanentAddress { ward { code } } } }',
    { ids: any.citizens },
    { token: police },
  );
  subjects.citizenElsewhere = (body.data!.citizens as Array<{ personalId: string; permanentAddress: { ward: { code: string } } }>).find(
    (c) => c.permanentAddress.ward.code !== COMMUNE_WARD,
  )!.personalId;

  const realm = await loadRealmExport();
  for (const [name, caller] of Object.entries(callers) as Array<[CallerName, (typeof callers)[CallerName]]>) {
    if (caller.kind === 'anonymous') tokens.set(name, null);
    else if (caller.kind === 'client') tokens.set(name, await p.tokenFor(caller.clientId));
    else if (caller.kind === 'citizen') tokens.set(name, (await vdxpCitizenLogin(p.platform.urls.issuer, caller.personalId)).accessToken);
    else {
      const user = realm.users.find((u) => u.username === caller.username)!;
      tokens.set(name, (await developmentPortalLogin(p.platform.urls.issuer, caller.username, developmentPassword(user) ?? '')).accessToken);
    }
  }
});

after(async () => {
  await p?.close();
});

function at(data: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value === null || value === undefined ? value : (value as Record<string, unknown>)[key]), data);
}

describe('authorization matrix', () => {
  for (const row of matrix) {
    const caller = callers[row.caller];
    const name = `${row.caller} [${caller.kind === 'anonymous' ? 'no token' : caller.auth}] ${row.operation}${row.subject ? ` of ${row.subject}` : ''}${row.purpose ? ` for ${row.purpose.split(':')[0]}` : ''}`;
    test(name, async () => {
      const variables = row.subject === 'enterprise' ? { code: subjects.enterprise } : row.subject ? { id: subjects[row.subject] } : undefined;
      const before = await p.metric('lgsp_gateway_subgraph_fetches_total', { subgraph: 'national-data' });
      const { status, body } = await p.query(operations[row.operation], variables, { token: tokens.get(row.caller)!, purpose: row.purpose ?? null });
      const fetches = (await p.metric('lgsp_gateway_subgraph_fetches_total', { subgraph: 'national-data' })) - before;

      assert.equal(status, 200, JSON.stringify(body));
      for (const path of row.visible) {
        const value = at(body.data, path);
        assert.ok(value !== null && value !== undefined, `${path} is visible: ${JSON.stringify(body)}`);
      }
      for (const [path, code] of row.denied) {
        assert.equal(at(body.data, path) ?? null, null, `${path} is null`);
        const error = body.errors?.find((e) => e.path?.filter((k) => typeof k === 'string').join('.') === path);
        assert.ok(error, `an error at ${path}: ${JSON.stringify(body.errors)}`);
        assert.equal(error.extensions?.code, code, `${path}: ${JSON.stringify(error)}`);
      }
      const explained = new Set(row.denied.map(([path]) => path));
      const unexpected = (body.errors ?? []).filter((e) => !explained.has((e.path ?? []).filter((k) => typeof k === 'string').join('.')));
      assert.deepEqual(unexpected, [], 'no other errors');
      assert.equal(fetches, row.nationalDataFetches, 'requests to national-data');
    });
  }
});
