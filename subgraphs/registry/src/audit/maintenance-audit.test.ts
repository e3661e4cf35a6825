/**
 * Issue 17: announcing, changing and cancelling maintenance windows and recording, updating and resolving incidents
 * are operator `operation` audit records (besides their `change` records), with the operator as actor and the change
 * log id; a refused attempt records nothing. Real HTTP, real Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '@lgsp/audit';
import { adminOf, JUSTICE, OPERATOR, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from '../testing.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-07T02:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
function ok(answer: GraphQLAnswer): Record<string, any> {
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data!;
}

describe('registry: maintenance windows and incidents are operation audit records', () => {
  let h: RegistryHarness;
  const clock = T0;
  const operations = async (): Promise<AuditRecord[]> => {
    await h.running.audit.writer.flush();
    return (await h.running.audit.log!.range(1, 10_000)).filter((r) => r.kind === 'operation');
  };

  before(async () => {
    h = await startRegistryHarness({}, () => new Date(clock));
  });
  after(async () => {
    await h.close();
  });

  it('records announce, change and cancel of a window and record, update and resolve of an incident', async () => {
    const input = { startsAt: at(T0 + 48 * HOUR), endsAt: at(T0 + 50 * HOUR), summary: 'Nâng cấp', reason: 'Phiên bản mới' };
    // A refused announcement is no operation.
    assert.ok((await h.gql(adminOf(JUSTICE), 'mutation($input: AnnounceMaintenanceInput!) { announceMaintenance(input: $input) { id } }', { input })).errors);
    const w = ok(await h.gql(OPERATOR, 'mutation($input: AnnounceMaintenanceInput!) { announceMaintenance(input: $input) { id } }', { input }))
      .announceMaintenance.id as string;
    ok(await h.gql(OPERATOR, `mutation { changeMaintenance(id: "${w}", input: { endsAt: "${at(T0 + 51 * HOUR)}" }) { id } }`));
    ok(await h.gql(OPERATOR, `mutation { cancelMaintenance(id: "${w}", reason: "Hoãn") { id } }`));
    const emergency = ok(
      await h.gql(OPERATOR, 'mutation($input: AnnounceMaintenanceInput!) { announceMaintenance(input: $input) { id } }', {
        input: { ...input, startsAt: at(T0 + HOUR), endsAt: at(T0 + 2 * HOUR), emergency: true },
      }),
    ).announceMaintenance.id as string;
    const incident = ok(
      await h.gql(OPERATOR, 'mutation($input: RecordIncidentInput!) { recordIncident(input: $input) { id } }', {
        input: { summary: 'Mất kết nối CSDL', affectedAgencies: [JUSTICE], startedAt: at(T0 - HOUR), expectedFixAt: at(T0 + HOUR) },
      }),
    ).recordIncident.id as string;
    ok(await h.gql(OPERATOR, `mutation { updateIncident(id: "${incident}", input: { expectedFixAt: "${at(T0 + 3 * HOUR)}" }) { id } }`));
    ok(await h.gql(OPERATOR, `mutation { resolveIncident(id: "${incident}", resolution: "Đã khắc phục") { id } }`));

    const records = (await operations()).filter((r) => r.entityId === w || r.entityId === emergency || r.entityId === incident);
    const operator = OPERATOR.kind === 'user' ? OPERATOR.username : null;
    assert.deepEqual(
      records.map((r) => [r.action, r.service, r.entityId, r.user, r.source, r.outcome]),
      [
        ['maintenance-announce', 'maintenance-window', w, operator, 'registry', 'success'],
        ['maintenance-change', 'maintenance-window', w, operator, 'registry', 'success'],
        ['maintenance-cancel', 'maintenance-window', w, operator, 'registry', 'success'],
        ['maintenance-announce-emergency', 'maintenance-window', emergency, operator, 'registry', 'success'],
        ['incident-record', 'incident', incident, operator, 'registry', 'success'],
        ['incident-update', 'incident', incident, operator, 'registry', 'success'],
        ['incident-resolve', 'incident', incident, operator, 'registry', 'success'],
      ],
    );
    const changed = records[1]!;
    assert.equal(changed.details.endsAt, at(T0 + 51 * HOUR));
    assert.equal(changed.details.emergency, false);
    assert.equal(records[2]!.details.cancelReason, 'Hoãn');
    assert.equal(records[3]!.details.emergency, true);
    assert.equal(records[4]!.details.affectedAgencies, JUSTICE);
    assert.equal(records[5]!.details.expectedFixAt, at(T0 + 3 * HOUR));
    // Each names its change log record (the full bodies stay there).
    const [change] = await h.changes.list({ entity: 'Incident', id: incident, limit: 10 });
    assert.ok(records.slice(4).some((r) => r.details.changeId === change!.id));
  });
});
