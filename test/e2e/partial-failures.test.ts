/**
 * Partial failures stay partial (issue 15 point 3), across real processes: when one subgraph is down, or one
 * national source fails, only the fields it serves are null, each error names its `path` and a stable
 * `extensions.code`, and the rest of the answer — the other subgraphs' fields, the other source's fields — arrives.
 * Each outage is one row of OUTAGES; the subgraph is stopped, asked, then started again and asked again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatformFixture, type GraphQLResponse, type PlatformFixture } from '../testing/platform-fixture.ts';
import { exchangeClient, JUSTICE, POLICE } from '../testing/exchange-client.ts';

let p: PlatformFixture;
let citizenId: string;
let enterpriseCode: string;
const PACKET_TITLE = 'Hồ sơ kiểm tra sự cố một phần';

/** One field from each subgraph, and fields one subgraph completes for another (catalogs names, packet source). */
const EVERY_SUBGRAPH = `query EverySubgraph($id: String!) {
  citizen(personalId: $id) { personalId fullName ethnicity { code name } permanentAddress { ward { code name } } }
  administrativeUnit(code: "01") { name }
  inbox(first: 1) { edges { node { title source { code name } } } }
  subscriptionTopics { name }
}`;

type Data = Record<string, any>;
type Subgraph = 'catalogs' | 'national-data' | 'relay' | 'subscriptions';

/** What the answer carries, each with the subgraphs it needs: null when one of them is down, as when all run otherwise. */
const PIECES: Array<{ name: string; needs: Subgraph[]; read(data: Data): unknown }> = [
  { name: 'citizen.fullName', needs: ['national-data'], read: (d) => d.citizen?.fullName ?? null },
  { name: 'citizen.ethnicity.name', needs: ['national-data', 'catalogs'], read: (d) => d.citizen?.ethnicity?.name ?? null },
  { name: 'citizen.permanentAddress.ward.name', needs: ['national-data', 'catalogs'], read: (d) => d.citizen?.permanentAddress?.ward?.name ?? null },
  { name: 'administrativeUnit.name', needs: ['catalogs'], read: (d) => d.administrativeUnit?.name ?? null },
  { name: 'inbox.edges.0.node.title', needs: ['relay'], read: (d) => d.inbox?.edges?.[0]?.node?.title ?? null },
  { name: 'inbox.edges.0.node.source.name', needs: ['relay', 'catalogs'], read: (d) => d.inbox?.edges?.[0]?.node?.source?.name ?? null },
  { name: 'subscriptionTopics', needs: ['subscriptions'], read: (d) => d.subscriptionTopics?.map((t: { name: string }) => t.name) ?? null },
];

/** Per stopped subgraph: the paths its errors name (the fields it would have filled). */
const OUTAGES: Array<{ subgraph: Subgraph; errorPaths: Array<Array<string | number>> }> = [
  {
    subgraph: 'catalogs',
    errorPaths: [['citizen', 'ethnicity'], ['citizen', 'permanentAddress', 'ward'], ['administrativeUnit'], ['inbox', 'edges', 0, 'node', 'source']],
  },
  { subgraph: 'national-data', errorPaths: [['citizen']] },
  { subgraph: 'relay', errorPaths: [['inbox']] },
  { subgraph: 'subscriptions', errorPaths: [['subscriptionTopics']] },
];

const sorted = (paths: Array<Array<string | number>>) => paths.map((path) => JSON.stringify(path)).sort();
const pieces = (data: Data | null | undefined) => Object.fromEntries(PIECES.map((piece) => [piece.name, data == null ? null : piece.read(data)]));

let baseline: Record<string, unknown>;

async function everySubgraph(): Promise<GraphQLResponse<Data>> {
  return p.query<Data>(EVERY_SUBGRAPH, { id: citizenId });
}

async function assertWhole(when: string, changed: Record<string, unknown> = {}): Promise<void> {
  const { status, body } = await everySubgraph();
  assert.equal(status, 200);
  assert.equal(body.errors, undefined, `${when}: ${JSON.stringify(body.errors)}`);
  assert.deepEqual(pieces(body.data), { ...baseline, ...changed }, when);
}

before(async () => {
  // Retries off and the breaker out of the way, so that each injected failure is exactly one failed call.
  p = await startPlatformFixture({ redis: true, env: { NATIONAL_PLATFORM_RETRIES: '0', NATIONAL_PLATFORM_BREAKER_FAILURES: '1000' } });
  const samples = await p.simulator.samples(5);
  citizenId = samples.citizens[0]!;
  enterpriseCode = samples.enterprises[0]!;
  // A packet in the Police's inbox, from the Department of Justice (whose name catalogs resolves).
  await exchangeClient(p).send(JUSTICE, [POLICE], Buffer.from('{"hoSo":"kiểm tra"}'), { dataType: 'FILE', title: PACKET_TITLE });
  const { body } = await everySubgraph();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  baseline = pieces(body.data);
  // Every piece is there when everything runs, so a piece that is null during an outage was nulled by it.
  for (const [name, value] of Object.entries(baseline)) assert.ok(value !== null && value !== undefined, `${name} answered with every subgraph up`);
  assert.equal(baseline['inbox.edges.0.node.title'], PACKET_TITLE);
  assert.equal(baseline['inbox.edges.0.node.source.name'], JUSTICE.name);
  assert.equal(baseline['administrativeUnit.name'], 'Hà Nội');
});

after(async () => {
  await p?.close();
});

describe('one subgraph down: its fields are null with located errors, the other subgraphs answer', () => {
  for (const outage of OUTAGES) {
    test(`${outage.subgraph} stopped`, async () => {
      await p.platform.stop(outage.subgraph);
      try {
        const { status, body } = await everySubgraph();
        assert.equal(status, 200, 'a partial answer is a 200 with data');
        assert.ok(body.data !== null && body.data !== undefined, `data is served: ${JSON.stringify(body)}`);
        for (const error of body.errors ?? []) {
          assert.ok(Array.isArray(error.path), `every error has a path: ${JSON.stringify(error)}`);
          assert.equal(error.extensions?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(error));
          assert.equal((error.extensions as { serviceName?: string }).serviceName, outage.subgraph);
        }
        assert.deepEqual(sorted((body.errors ?? []).map((e) => e.path!)), sorted(outage.errorPaths));
        const expected = Object.fromEntries(PIECES.map((piece) => [piece.name, piece.needs.includes(outage.subgraph) ? null : baseline[piece.name]]));
        assert.deepEqual(pieces(body.data), expected);
        // The value at each error's path is null, and nothing above it was nulled.
        for (const path of outage.errorPaths) {
          let value: any = body.data;
          for (const key of path.slice(0, -1)) {
            value = value[key];
            assert.ok(value !== null && value !== undefined, `${path.join('.')}: ${String(key)} is still there`);
          }
          assert.equal(value[path[path.length - 1]!], null, `${path.join('.')} is null`);
        }
      } finally {
        await p.restart(outage.subgraph);
      }
      await assertWhole(`after ${outage.subgraph} started again`);
    });
  }

  test('catalogs stopped during a subscription: the event arrives with its id and packet, the agency it names is null at its path', async () => {
    const title = 'Gói tin trong lúc danh mục ngừng';
    const subscription = await p.subscribe(`subscription { packetAvailable { eventId packet { id title } source { code name } } }`, {}, { as: POLICE.client });
    try {
      await p.platform.stop('catalogs');
      const id = await exchangeClient(p).send(JUSTICE, [POLICE], Buffer.from('{"a":1}'), { dataType: 'FILE', title });
      const item = await subscription.next('the packet-available event');
      assert.equal(item.kind, 'next', JSON.stringify(item));
      const { data, errors } = (item as Extract<typeof item, { kind: 'next' }>).value as {
        data: Data;
        errors?: Array<{ path?: unknown[]; extensions?: Record<string, unknown> }>;
      };
      const seen = JSON.stringify({ data, errors });
      assert.match(data.packetAvailable.eventId, /^\d+-\d+$/, seen);
      assert.deepEqual(data.packetAvailable.packet, { id, title }, seen);
      assert.equal(data.packetAvailable.source, null, seen);
      assert.deepEqual(
        errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName]),
        [[['packetAvailable', 'source'], 'UPSTREAM_UNAVAILABLE', 'catalogs']],
        seen,
      );
    } finally {
      await subscription.close();
      await p.restart('catalogs');
    }
    // The new packet is now the newest in the inbox.
    await assertWhole('after catalogs started again', { 'inbox.edges.0.node.title': title });
  });
});

describe('one national source failing: only the fields it serves are null', () => {
  const ENTERPRISE_AND_CITIZEN = `query($code: String!, $id: String!) {
    enterprise(code: $code) { code name legalRepresentative { fullName citizen { fullName } } }
    citizen(personalId: $id) { fullName }
  }`;
  // The Department of Justice reads enterprises, their representatives' records and citizens' identity.
  const asJustice = { as: JUSTICE.client, purpose: 'civil-status:HT-2026-77' };
  const ask = () => p.query<Data>(ENTERPRISE_AND_CITIZEN, { code: enterpriseCode, id: citizenId }, asJustice);

  test('with every source answering, the representative is read from the population database', async () => {
    const { body } = await ask();
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(typeof body.data!.enterprise.legalRepresentative.citizen.fullName, 'string');
    assert.equal(body.data!.citizen.fullName, baseline['citizen.fullName']);
  });

  test('the population database failing: the enterprise and its representative are served, the citizen records are null', async () => {
    await p.simulator.settings({ endpoints: { 'dancu.congdan': { failureRate: 1 }, 'dancu.congdan.batch': { failureRate: 1 } } });
    try {
      const { status, body } = await ask();
      assert.equal(status, 200);
      assert.equal(body.data!.enterprise.code, enterpriseCode);
      assert.equal(typeof body.data!.enterprise.name, 'string');
      assert.equal(typeof body.data!.enterprise.legalRepresentative.fullName, 'string');
      assert.equal(body.data!.enterprise.legalRepresentative.citizen, null);
      assert.equal(body.data!.citizen, null);
      assert.deepEqual(
        sorted((body.errors ?? []).map((e) => [...e.path!, e.extensions!.code!])),
        sorted([
          ['enterprise', 'legalRepresentative', 'citizen', 'UPSTREAM_UNAVAILABLE'],
          ['citizen', 'UPSTREAM_UNAVAILABLE'],
        ]),
      );
    } finally {
      await p.simulator.settings({});
    }
  });

  test('the enterprise registry failing: the enterprise is null, the citizen is served', async () => {
    await p.simulator.settings({ endpoints: { 'dkdn.chiTietDoanhNghiep': { failureRate: 1 }, 'dkdn.chiTietDoanhNghiep.batch': { failureRate: 1 } } });
    try {
      const { status, body } = await ask();
      assert.equal(status, 200);
      assert.equal(body.data!.enterprise, null);
      assert.equal(body.data!.citizen.fullName, baseline['citizen.fullName']);
      assert.deepEqual(
        (body.errors ?? []).map((e) => [e.path, e.extensions?.code]),
        [[['enterprise'], 'UPSTREAM_UNAVAILABLE']],
      );
    } finally {
      await p.simulator.settings({});
    }
  });
});
