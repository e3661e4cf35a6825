/**
 * Issue 16, must-have 7: the relay asks the registry. A relay started with REGISTRY_URL takes its recipients and who
 * may send what to whom from the registry's `/internal/v1/agencies` and `/internal/v1/relay/routes` (a real HTTP
 * server here), per environment, and refuses the rest with a precise `extensions.reason`, storing nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, type Principal } from '@lgsp/kit';
import { loadRelayConfig } from './config.ts';
import {
  A,
  AGENCY_A,
  AGENCY_B,
  AGENCY_C,
  AGENCY_D,
  B,
  CLAIM,
  exchangeInput,
  REQUEST_EXCHANGE,
  sendPacket,
  sleep,
  startHarness,
  startTestRegistry,
  system,
  type Harness,
  type TestRegistry,
  type TestRegistryData,
} from './testing.ts';

const PARENT = '000.00.01.H41';
const MERGED = '000.00.07.H41';
const A_TEST: Principal = { ...A, environment: 'test' };

const agency = (code: string, parentCode: string | null = null, status = 'ACTIVE', successorCodes: string[] = []) => ({
  code,
  name: `Cơ quan ${code}`,
  shortName: null,
  parentCode,
  status,
  successorCodes,
  effectiveFrom: null,
});

function registryData(): TestRegistryData {
  return {
    agencies: {
      version: 1,
      items: [
        agency(PARENT),
        agency(AGENCY_A),
        agency(AGENCY_B, PARENT),
        agency(AGENCY_C, PARENT),
        agency(AGENCY_D, PARENT),
        agency(MERGED, null, 'MERGED', [AGENCY_B]),
      ],
    },
    routes: {
      // B provides FILE to A; C provides EDXML_DOCUMENT to A and (before its merger) MERGED.
      production: {
        version: 1,
        items: [
          { dataType: 'FILE', provider: AGENCY_B, participants: [AGENCY_A] },
          { dataType: 'EDXML_DOCUMENT', provider: AGENCY_C, participants: [AGENCY_A, MERGED] },
        ],
      },
      // In the test environment A's request to C's FILE service is in force, not yet in production.
      test: { version: 1, items: [{ dataType: 'FILE', provider: AGENCY_C, participants: [AGENCY_A] }] },
    },
  };
}

const content = Buffer.from('gói tin');

describe('relay: recipients and routes from the registry', () => {
  let registry: TestRegistry;
  let h: Harness;
  before(async () => {
    registry = await startTestRegistry(registryData());
    h = await startHarness({ REGISTRY_URL: registry.url, REGISTRY_INTERNAL_TOKEN: registry.token, RELAY_DIRECTORY_REFRESH_MS: '100' });
  });
  after(async () => {
    await h.close();
    await registry.stop();
  });

  const request = (who: Principal, overrides: Record<string, unknown>) => h.gql(who, REQUEST_EXCHANGE, { input: exchangeInput(content, overrides) });
  const packetKeys = async () => (await h.scan(`${h.keyPrefix}*relay:packet:*`)).length;
  const refusal = async (who: Principal, overrides: Record<string, unknown>) => {
    const before = await packetKeys();
    const answer = await request(who, overrides);
    assert.equal(answer.data?.requestExchange ?? null, null, JSON.stringify(answer));
    assert.equal(await packetKeys(), before, 'a refused request stores nothing');
    return answer.errors![0]!.extensions!;
  };

  it('sends a data type along a route in force', async () => {
    const { id, upload } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'FILE' });
    assert.equal(upload.status, 201);
    assert.equal((await h.gql(B, CLAIM, { id })).data!.claimPacket.packetId, id);
  });

  it('refuses a data type the source has no access request in force for: DATA_TYPE_NOT_ALLOWED', async () => {
    const extensions = await refusal(A, { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'JSON' });
    assert.equal(extensions.code, ErrorCode.FORBIDDEN);
    assert.equal(extensions.reason, 'DATA_TYPE_NOT_ALLOWED');
    assert.equal(extensions.dataType, 'JSON');
    assert.equal(extensions.environment, 'production');
  });

  it('refuses a recipient outside the routes of that data type: RECIPIENT_NOT_ALLOWED, naming it', async () => {
    const extensions = await refusal(A, { recipients: { agencyCodes: [AGENCY_B, AGENCY_C] }, dataType: 'FILE' });
    assert.equal(extensions.code, ErrorCode.FORBIDDEN);
    assert.equal(extensions.reason, 'RECIPIENT_NOT_ALLOWED');
    assert.deepEqual(extensions.refusedAgencyCodes, [AGENCY_C]);
    assert.deepEqual(extensions.refused, [{ agencyCode: AGENCY_C, reason: 'RECIPIENT_NOT_ALLOWED' }]);
  });

  it('refuses an agency no longer ACTIVE, naming its successors: RECIPIENT_NOT_ACTIVE', async () => {
    const extensions = await refusal(A, { recipients: { agencyCodes: [MERGED] }, dataType: 'EDXML_DOCUMENT' });
    assert.equal(extensions.reason, 'RECIPIENT_NOT_ACTIVE');
    assert.deepEqual(extensions.refused, [{ agencyCode: MERGED, reason: 'RECIPIENT_NOT_ACTIVE', successorCodes: [AGENCY_B] }]);
  });

  it('refuses unknown recipients and senders the registry does not have ACTIVE', async () => {
    const unknown = await refusal(A, { recipients: { agencyCodes: ['000.00.99.H41'] } });
    assert.equal(unknown.code, ErrorCode.BAD_USER_INPUT);
    assert.equal(unknown.reason, 'RECIPIENT_UNKNOWN');
    assert.deepEqual(unknown.unknownAgencyCodes, ['000.00.99.H41']);
    const stranger = await refusal(system('000.00.99.H41', 'x'), { recipients: { agencyCodes: [AGENCY_B] } });
    assert.equal(stranger.reason, 'SOURCE_NOT_REGISTERED');
    const merged = await refusal(system(MERGED, 'x'), { recipients: { agencyCodes: [AGENCY_C] }, dataType: 'EDXML_DOCUMENT' });
    assert.equal(merged.reason, 'SOURCE_NOT_ACTIVE');
    assert.deepEqual(merged.successorCodes, [AGENCY_B]);
  });

  it("sends to a parent's units only those that may receive the data type", async () => {
    const answer = await request(A, { recipients: { parentCode: PARENT }, dataType: 'FILE' });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const packet = (await h.gql(A, `query($id: ID!) { packet(id: $id) { deliveries { agencyCode } } }`, { id: answer.data!.requestExchange.id })).data!.packet;
    assert.deepEqual(packet.deliveries, [{ agencyCode: AGENCY_B }]);
    const none = await refusal(A, { recipients: { parentCode: PARENT }, dataType: 'DOSSIER' });
    assert.equal(none.reason, 'DATA_TYPE_NOT_ALLOWED');
  });

  it("applies the caller's environment's routes", async () => {
    assert.equal((await refusal(A_TEST, { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'FILE' })).reason, 'RECIPIENT_NOT_ALLOWED');
    assert.equal((await request(A_TEST, { recipients: { agencyCodes: [AGENCY_C] }, dataType: 'FILE' })).errors, undefined);
    assert.equal((await refusal(A, { recipients: { agencyCodes: [AGENCY_C] }, dataType: 'FILE' })).reason, 'RECIPIENT_NOT_ALLOWED');
  });

  it('follows the registry: an access request going live opens the route within RELAY_DIRECTORY_REFRESH_MS', async () => {
    registry.data.routes.production = {
      version: 2,
      items: [...registry.data.routes.production.items, { dataType: 'FILE', provider: AGENCY_C, participants: [AGENCY_A] }],
    };
    const deadline = Date.now() + 3_000;
    let answer = await request(A, { recipients: { agencyCodes: [AGENCY_C] }, dataType: 'FILE' });
    while (answer.errors !== undefined && Date.now() < deadline) {
      await sleep(50);
      answer = await request(A, { recipients: { agencyCodes: [AGENCY_C] }, dataType: 'FILE' });
    }
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  });
});

describe('relay: a registry that never answered', () => {
  it('starts, refuses exchange requests with DIRECTORY_UNAVAILABLE, and serves once the registry answers', async () => {
    const registry = await startTestRegistry(registryData(), { listening: false });
    const h = await startHarness({ REGISTRY_URL: registry.url, REGISTRY_INTERNAL_TOKEN: registry.token, RELAY_DIRECTORY_REFRESH_MS: '60000' });
    try {
      const refused = await h.gql(A, REQUEST_EXCHANGE, { input: exchangeInput(content, { recipients: { agencyCodes: [AGENCY_B] } }) });
      assert.equal(refused.errors?.[0]?.extensions?.code, ErrorCode.UPSTREAM_UNAVAILABLE, JSON.stringify(refused));
      assert.equal(refused.errors?.[0]?.extensions?.reason, 'DIRECTORY_UNAVAILABLE');
      assert.deepEqual(await h.scan(`${h.keyPrefix}*relay:packet:*`), []);
      assert.ok(h.logs.some((l) => l.level === 'error' && /no agency directory loaded yet/.test(String(l.msg))));
      await registry.start();
      await sleep(1_000); // the directory asks again on demand at most once a second
      const served = await h.gql(A, REQUEST_EXCHANGE, { input: exchangeInput(content, { recipients: { agencyCodes: [AGENCY_B] } }) });
      assert.equal(served.errors, undefined, JSON.stringify(served.errors));
    } finally {
      await h.close();
      await registry.stop();
    }
  });

  it('is not configured in production without REGISTRY_URL, nor with it but without REGISTRY_INTERNAL_TOKEN', () => {
    const production = { NODE_ENV: 'production', RELAY_MASTER_KEY: 'ab'.repeat(32), RELAY_URL_SECRET: 'u'.repeat(32) };
    assert.throws(() => loadRelayConfig(production), /REGISTRY_URL/);
    assert.throws(() => loadRelayConfig({ ...production, REGISTRY_URL: 'http://registry:4105' }), /REGISTRY_INTERNAL_TOKEN/);
    const config = loadRelayConfig({ ...production, REGISTRY_URL: 'http://registry:4105/', REGISTRY_INTERNAL_TOKEN: 't'.repeat(32) });
    assert.equal(config.REGISTRY_URL, 'http://registry:4105');
    assert.equal(config.RELAY_DIRECTORY_REFRESH_MS, 15_000);
  });
});
