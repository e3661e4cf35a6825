/** Walks the maintenance authorization matrix (maintenance-authorization.table.ts) over HTTP with real internal tokens. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '@lgsp/kit';
import { callers } from './authorization.table.ts';
import { maintenanceMatrix, type MaintenanceMatrixRow } from './maintenance-authorization.table.ts';
import { JUSTICE, OPERATOR, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from './testing.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-07T02:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();

describe('maintenance authorization matrix', () => {
  let h: RegistryHarness;
  before(async () => {
    h = await startRegistryHarness({}, () => new Date(T0));
  });
  after(async () => {
    await h.close();
  });

  const data = (answer: GraphQLAnswer) => {
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!;
  };
  const freshWindow = async () =>
    data(
      await h.gql(OPERATOR, 'mutation($i: AnnounceMaintenanceInput!) { announceMaintenance(input: $i) { id } }', {
        i: { startsAt: at(T0 + 48 * HOUR), endsAt: at(T0 + 49 * HOUR), summary: 'x', reason: 'x' },
      }),
    ).announceMaintenance.id as string;
  const freshIncident = async () =>
    data(
      await h.gql(OPERATOR, 'mutation($i: RecordIncidentInput!) { recordIncident(input: $i) { id } }', {
        i: { summary: 'x', affectedAgencies: [JUSTICE], startedAt: at(T0 - HOUR) },
      }),
    ).recordIncident.id as string;

  /** The record a list cell must show (a window or incident made for it), set by `run`. */
  let expected: string | null = null;

  async function run(row: MaintenanceMatrixRow, principal: Principal): Promise<GraphQLAnswer> {
    expected = null;
    switch (row.operation) {
      case 'announceMaintenance':
        return h.gql(principal, 'mutation($i: AnnounceMaintenanceInput!) { announceMaintenance(input: $i) { id } }', {
          i: { startsAt: at(T0 + 48 * HOUR), endsAt: at(T0 + 49 * HOUR), summary: 'x', reason: 'x' },
        });
      case 'changeMaintenance':
        return h.gql(principal, `mutation { changeMaintenance(id: "${await freshWindow()}", input: { summary: "y" }) { id } }`);
      case 'cancelMaintenance':
        return h.gql(principal, `mutation { cancelMaintenance(id: "${await freshWindow()}", reason: "y") { id } }`);
      case 'maintenanceWindows':
        expected = await freshWindow();
        return h.gql(principal, '{ maintenanceWindows { id } }');
      case 'recordIncident':
        return h.gql(principal, 'mutation($i: RecordIncidentInput!) { recordIncident(input: $i) { id } }', {
          i: { summary: 'x', affectedAgencies: [], startedAt: at(T0) },
        });
      case 'updateIncident':
        return h.gql(principal, `mutation { updateIncident(id: "${await freshIncident()}", input: { summary: "y" }) { id } }`);
      case 'resolveIncident':
        return h.gql(principal, `mutation { resolveIncident(id: "${await freshIncident()}", resolution: "y") { id } }`);
      case 'incident (affecting JUSTICE)':
        return h.gql(principal, `{ incident(id: "${await freshIncident()}") { id } }`);
      case 'incidents (affecting every agency)':
        expected = data(
          await h.gql(OPERATOR, 'mutation($i: RecordIncidentInput!) { recordIncident(input: $i) { id } }', {
            i: { summary: 'Gián đoạn toàn nền tảng', affectedAgencies: [], startedAt: at(T0 - HOUR) },
          }),
        ).recordIncident.id as string;
        return h.gql(principal, '{ incidents(open: true) { id } }');
    }
  }

  for (const row of maintenanceMatrix) {
    it(`${row.operation}: ${Object.entries(row.outcomes)
      .filter(([, o]) => o === 'ok')
      .map(([c]) => c)
      .join(', ')}`, async () => {
      const seen: Record<string, string> = {};
      for (const [name, principal] of Object.entries(callers)) {
        const answer = await run(row, principal);
        const value = Object.values(answer.data ?? {})[0] as Array<{ id: string }> | null | undefined;
        seen[name] =
          answer.errors !== undefined
            ? String(answer.errors[0]?.extensions?.code)
            : value === null || (expected !== null && Array.isArray(value) && !value.some((r) => r.id === expected))
              ? 'hidden'
              : 'ok';
      }
      assert.deepEqual(seen, row.outcomes);
    });
  }
});
