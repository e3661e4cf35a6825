/**
 * Walks the registry's authorization matrix (authorization.table.ts) over HTTP with real internal tokens: every
 * operation for every kind of caller, each on a record made fresh for it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callers, matrix, type MatrixRow } from './authorization.table.ts';
import { adminOf, JUSTICE, OPERATOR, POLICE, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from './testing.ts';
import type { Principal } from '@lgsp/kit';

const CONSUMER_SYSTEM = `${JUSTICE}:ho-tich-dien-tu`;

describe('registry authorization matrix', () => {
  let h: RegistryHarness;
  let n = 0;
  before(async () => {
    h = await startRegistryHarness();
  });
  after(async () => {
    await h.close();
  });

  const data = (answer: GraphQLAnswer) => {
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!;
  };

  /** Cancels every open request (one system has one open request per service). */
  async function cancelOpen(): Promise<void> {
    const open = data(await h.gql(OPERATOR, '{ accessRequests { id state } }')).accessRequests as Array<{ id: string; state: string }>;
    for (const r of open.filter((x) => x.state !== 'CANCELLED' && x.state !== 'REJECTED')) {
      data(await h.gql(OPERATOR, 'mutation($id: ID!) { actOnAccessRequest(id: $id, action: CANCEL, reason: "matrix") { id } }', { id: r.id }));
    }
  }

  /** A fresh request from JUSTICE to POLICE's citizen service (the previous ones cancelled). */
  async function freshRequest(): Promise<string> {
    await cancelOpen();
    const submitted = await h.gql(adminOf(JUSTICE), 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
      input: {
        consumerSystem: CONSUMER_SYSTEM,
        serviceCode: 'national-data-citizen',
        fieldSets: ['national-data.citizen.basic'],
        purposes: ['civil-status'],
        legalBasis: 'Luật Hộ tịch 2014',
        expectedRequestsPerDay: 10,
        securityCommitment: { signedBy: 'Giám đốc Sở Tư pháp', text: 'Cam kết mẫu 03' },
      },
    });
    return data(submitted).submitAccessRequest.id as string;
  }

  const proposal = (code: string) => ({
    code,
    name: `Dịch vụ ${code}`,
    providerSystem: `${POLICE}:csdl-dan-cu-tinh`,
    kind: 'RELAY_DATA_TYPE',
    relayDataType: 'DOSSIER',
    description: {
      authentication: 'OAuth 2.0',
      method: 'relay',
      url: 'https://lgsp.nghean.gov.vn/graphql',
      requestFormat: 'application/json',
      responseFormat: 'application/json',
      headers: [],
      requestSample: '{}',
      responseSample: '{}',
      purpose: 'hồ sơ',
      states: [],
    },
    fieldSets: [],
  });

  async function run(row: MatrixRow, principal: Principal): Promise<GraphQLAnswer> {
    n += 1;
    switch (row.operation) {
      case 'registerAgency':
        return h.gql(principal, 'mutation($code: ID!) { registerAgency(input: { code: $code, name: "Cơ quan thử", parentCode: "000.00.00.H41" }) { code } }', {
          code: `000.00.${String(40 + n).padStart(2, '0')}.H41`,
        });
      case 'registerInformationSystem(consumer agency)':
        return h.gql(
          principal,
          'mutation($slug: String!) { registerInformationSystem(input: { agencyCode: "000.00.04.H41", slug: $slug, name: "x", purpose: "x", contacts: [], environments: [TEST], healthEndpoints: [] }) { id } }',
          { slug: `matrix-${n}` },
        );
      case 'informationSystem(consumer system)':
        return h.gql(principal, `{ informationSystem(id: "${CONSUMER_SYSTEM}") { id } }`);
      case 'submitServiceRegistration(provider agency)':
        return h.gql(
          principal,
          'mutation($input: ServiceProposalInput!) { submitServiceRegistration(providerAgency: "000.00.02.H41", input: $input) { id } }',
          {
            input: proposal(`matrix-service-${n}`),
          },
        );
      case 'submitAccessRequest(consumer system)': {
        await cancelOpen();
        return h.gql(principal, 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
          input: {
            consumerSystem: CONSUMER_SYSTEM,
            serviceCode: 'national-data-citizen',
            fieldSets: ['national-data.citizen.basic'],
            purposes: ['civil-status'],
            legalBasis: 'x',
            expectedRequestsPerDay: 1,
            securityCommitment: { signedBy: 'x', text: 'x' },
          },
        });
      }
      case 'accessRequest':
        return h.gql(principal, `{ accessRequest(id: "${await freshRequest()}") { id } }`);
      case 'actOnAccessRequest APPROVE (pending)':
        return h.gql(principal, `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: APPROVE) { id } }`);
      case 'actOnAccessRequest RESUBMIT (changes requested)': {
        const id = await freshRequest();
        data(await h.gql(OPERATOR, `mutation { actOnAccessRequest(id: "${id}", action: REQUEST_CHANGES, reason: "bổ sung căn cứ") { id } }`));
        return h.gql(principal, `mutation { actOnAccessRequest(id: "${id}", action: RESUBMIT) { id } }`);
      }
      case 'retireServiceVersion (no notice)':
        return h.gql(principal, 'mutation { retireServiceVersion(serviceCode: "national-data-citizen", version: 1) { id } }');
    }
  }

  for (const row of matrix) {
    it(`${row.operation}: ${Object.entries(row.outcomes)
      .filter(([, o]) => o !== 'FORBIDDEN')
      .map(([c, o]) => (o === 'ok' ? c : `${c} (${o})`))
      .join(', ')} — everyone else FORBIDDEN`, async () => {
      const seen: Record<string, string> = {};
      for (const [name, principal] of Object.entries(callers)) {
        const answer = await run(row, principal);
        seen[name] = answer.errors === undefined ? 'ok' : String(answer.errors[0]?.extensions?.code);
      }
      assert.deepEqual(seen, row.outcomes);
    });
  }
});
