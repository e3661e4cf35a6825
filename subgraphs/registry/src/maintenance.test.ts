/**
 * Maintenance windows and incidents through the registry's GraphQL and internal API, over real HTTP with real internal
 * tokens on real Redis: who may announce and read, the codes of bad windows, the change log, and
 * `/internal/v1/maintenance` (ETag, 304, the subgraphs of the affected services, the token, ending a window from the
 * command line).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminOf, JUSTICE, OPERATOR, POLICE, providerSystemOf, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from './testing.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-07T02:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const codeOf = (answer: GraphQLAnswer) => answer.errors?.[0]?.extensions?.code;
function ok(answer: GraphQLAnswer): Record<string, any> {
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data!;
}

const announce = `mutation($input: AnnounceMaintenanceInput!) { announceMaintenance(input: $input) { id status emergency startsAt endsAt affectedServices announcedBy } }`;

describe('registry maintenance over GraphQL and the internal API', () => {
  let h: RegistryHarness;
  let clock = T0;
  before(async () => {
    h = await startRegistryHarness({}, () => new Date(clock));
  });
  after(async () => {
    await h.close();
  });

  it('lets only the operator announce, with INVALID_MAINTENANCE_WINDOW for a window in the past or without notice', async () => {
    const input = { startsAt: at(T0 + 48 * HOUR), endsAt: at(T0 + 50 * HOUR), summary: 'Nâng cấp', reason: 'Phiên bản mới' };
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), announce, { input })), 'FORBIDDEN');
    assert.equal(codeOf(await h.gql(providerSystemOf(POLICE, `${POLICE}:csdl-dan-cu-tinh`), announce, { input })), 'FORBIDDEN');
    const past = await h.gql(OPERATOR, announce, { input: { ...input, startsAt: at(T0 - HOUR), endsAt: at(T0 + HOUR), emergency: true } });
    assert.equal(codeOf(past), 'INVALID_MAINTENANCE_WINDOW');
    assert.equal(past.errors?.[0]?.extensions?.argument, 'startsAt');
    assert.match(past.errors![0]!.message, /is in the past/);
    assert.equal(codeOf(await h.gql(OPERATOR, announce, { input: { ...input, startsAt: at(T0 + HOUR) } })), 'INVALID_MAINTENANCE_WINDOW');
    const w = ok(await h.gql(OPERATOR, announce, { input: { ...input, affectedServices: ['national-data-citizen'] } })).announceMaintenance;
    assert.deepEqual(
      { status: w.status, emergency: w.emergency, affectedServices: w.affectedServices, announcedBy: w.announcedBy },
      { status: 'SCHEDULED', emergency: false, affectedServices: ['national-data-citizen'], announcedBy: OPERATOR.username },
    );
    // Any signed-in caller reads the windows.
    const read = ok(await h.gql(adminOf(JUSTICE), '{ maintenanceWindows { id status } }')).maintenanceWindows;
    assert.deepEqual(read, [{ id: w.id, status: 'SCHEDULED' }]);
    assert.equal(codeOf(await h.gql({ kind: 'anonymous', roles: [], scopes: [] }, '{ maintenanceWindows { id } }')), 'UNAUTHENTICATED');
    assert.equal(codeOf(await h.gql(OPERATOR, '{ maintenanceWindows(from: "2026-12-09T00:00:00Z", to: "2026-12-08T00:00:00Z") { id } }')), 'INVALID_PERIOD');
    const changes = ok(await h.gql(OPERATOR, `{ registryChanges(entity: "MaintenanceWindow", entityId: "${w.id}") { action actor { username } } }`));
    assert.deepEqual(changes.registryChanges, [{ action: 'ANNOUNCE', actor: { username: OPERATOR.username } }]);
    assert.ok(h.events.announced.some((e) => e.family === 'maintenance-announced' && e.fields.id === w.id && e.fields.change === 'ANNOUNCED'));
  });

  it('serves the windows on /internal/v1/maintenance with an ETag, the subgraphs of their services, and ends one for the CLI', async () => {
    assert.equal((await h.internal('GET', '/internal/v1/maintenance', { token: null })).status, 401);
    assert.equal((await h.internal('GET', '/internal/v1/maintenance', { token: 'x'.repeat(40) })).status, 401);
    const first = await h.internal('GET', '/internal/v1/maintenance');
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag')!;
    const body = (await first.json()) as { version: number; items: Array<Record<string, unknown>> };
    assert.equal(body.items.length, 1);
    assert.deepEqual(body.items[0]!.affectedSubgraphs, ['national-data']);
    assert.equal(body.items[0]!.status, 'SCHEDULED');
    assert.equal((await h.internal('GET', '/internal/v1/maintenance', { headers: { 'if-none-match': etag } })).status, 304);
    const id = body.items[0]!.id as string;
    clock = T0 + 49 * HOUR;
    const refused = await h.internal('POST', `/internal/v1/maintenance/${id}/cancel`, { body: { reason: 'x' } });
    assert.equal(refused.status, 400);
    const ended = await h.internal('POST', `/internal/v1/maintenance/${id}/cancel`, { body: { by: 'ops.nguyen', reason: 'Xong sớm' } });
    assert.equal(ended.status, 200);
    assert.equal(((await ended.json()) as { status: string }).status, 'COMPLETED');
    const after = await h.internal('GET', '/internal/v1/maintenance', { headers: { 'if-none-match': etag } });
    assert.equal(after.status, 200);
    assert.deepEqual(((await after.json()) as { items: unknown[] }).items, []);
    const log = ok(await h.gql(OPERATOR, `{ registryChanges(entity: "MaintenanceWindow", entityId: "${id}") { action actor { kind username } } }`));
    assert.deepEqual(log.registryChanges[0], { action: 'END_EARLY', actor: { kind: 'operator', username: 'ops.nguyen' } });
    assert.equal((await h.internal('POST', '/internal/v1/maintenance/mw-none/cancel', { body: { by: 'ops', reason: 'x' } })).status, 404);
  });

  it('records an incident the affected agencies read and others do not', async () => {
    const record = ok(
      await h.gql(OPERATOR, 'mutation($input: RecordIncidentInput!) { recordIncident(input: $input) { id affectedAgencies expectedFixAt resolvedAt } }', {
        input: { summary: 'Mất kết nối CSDL', affectedAgencies: [JUSTICE], startedAt: at(clock - HOUR), expectedFixAt: at(clock + HOUR) },
      }),
    ).recordIncident;
    assert.deepEqual(record.affectedAgencies, [JUSTICE]);
    assert.equal(ok(await h.gql(adminOf(JUSTICE), '{ incidents(open: true) { id } }')).incidents.length, 1);
    assert.deepEqual(ok(await h.gql(adminOf(POLICE), '{ incidents { id } }')).incidents, []);
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), `mutation { resolveIncident(id: "${record.id}", resolution: "x") { id } }`)), 'FORBIDDEN');
    const resolved = ok(await h.gql(OPERATOR, `mutation { resolveIncident(id: "${record.id}", resolution: "Đã khắc phục") { resolvedAt resolution } }`));
    assert.equal(resolved.resolveIncident.resolution, 'Đã khắc phục');
  });
});
