/**
 * The operator's command (`npm run --silent registry -- …`, src/cli/) against the real registry over its internal API,
 * and the registry's events on the real Redis streams the subscriptions subgraph reads.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { eventStreamKey, topics } from '@lgsp/events';
import { runRegistryCommand } from './cli/registry-command.ts';
import { adminOf, JUSTICE, OPERATOR, POLICE, startRegistryHarness, type RegistryHarness } from './testing.ts';

async function cli(h: RegistryHarness, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runRegistryCommand(argv, { env: { REGISTRY_URL: h.running.origin, REGISTRY_INTERNAL_TOKEN: h.token }, stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('the operator CLI against the registry, events on Redis', () => {
  let h: RegistryHarness;
  let id = '';
  before(async () => {
    h = await startRegistryHarness({}, undefined, { realEvents: true });
    const answer = await h.gql(adminOf(JUSTICE), 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
      input: {
        consumerSystem: `${JUSTICE}:ho-tich-dien-tu`,
        serviceCode: 'national-data-citizen',
        fieldSets: ['national-data.citizen.basic'],
        purposes: ['civil-status'],
        legalBasis: 'Luật Hộ tịch 2014',
        expectedRequestsPerDay: 10,
        securityCommitment: { signedBy: 'Giám đốc Sở Tư pháp', text: 'Cam kết mẫu 03' },
      },
    });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    id = answer.data!.submitAccessRequest.id as string;
  });
  after(async () => {
    await h.close();
  });

  it('lists, shows and approves as the operator; a refused step exits 1 with its code', async () => {
    const list = await cli(h, ['list', '--state', 'PENDING_APPROVAL', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<{ id: string }>).map((r) => r.id),
      [id],
    );
    const show = await cli(h, ['show', id, '--json']);
    assert.equal((JSON.parse(show.stdout) as { state: string }).state, 'PENDING_APPROVAL');
    const approve = await cli(h, ['approve', id, '--by', 'nguyen.van.a', '--json']);
    assert.equal(approve.code, 0, approve.stderr);
    assert.equal((JSON.parse(approve.stdout) as { state: string }).state, 'OPERATOR_APPROVED');
    const again = await cli(h, ['approve', id, '--by', 'nguyen.van.a', '--json']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^FORBIDDEN: /);
    const answer = await h.gql(OPERATOR, `{ accessRequest(id: "${id}") { history { action party by } } }`);
    assert.deepEqual(answer.data?.accessRequest.history.at(-1), { action: 'APPROVE', party: 'OPERATOR', by: 'nguyen.van.a' });
  });

  it('published the steps on the consumer and provider topics and the agency registration on agency-changed', async () => {
    const read = async (topic: string) => (await h.redis.xRange(eventStreamKey(h.keyPrefix, topic), '-', '+')).map((e) => e.message);
    for (const agency of [JUSTICE, POLICE]) {
      const events = await read(topics.accessRequestChanged(agency));
      assert.deepEqual(
        events.map((e) => [e.accessRequestId, e.action, e.state, e.consumerAgency, e.providerAgency]),
        [
          [id, 'SUBMIT', 'PENDING_APPROVAL', JUSTICE, POLICE],
          [id, 'APPROVE', 'OPERATOR_APPROVED', JUSTICE, POLICE],
        ],
      );
    }
    const registered = await h.gql(OPERATOR, 'mutation { registerAgency(input: { code: "000.00.30.H41", name: "UBND xã Thử" }) { code } }');
    assert.equal(registered.errors, undefined, JSON.stringify(registered.errors));
    const agencyEvents = await read(topics.agencyChanged());
    assert.deepEqual(
      agencyEvents.map((e) => [e.code, e.change, e.status]),
      [['000.00.30.H41', 'REGISTERED', 'ACTIVE']],
    );
  });
});
