import { ApolloGateway } from '@apollo/gateway';
import { createInternalTokenIssuer, createMetricsRegistry } from '@lgsp/kit';
import { Kind, visit } from 'graphql';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { startGateway, type ReloadOutcome, type RunningGateway } from '../server.ts';
import { composeSupergraph, peopleSdl, placesSdl, startTestFederation } from '../testing/fixtures.ts';
import { loadSupergraph, sdlForApolloGateway } from './supergraph.ts';

const deadUrl = 'http://127.0.0.1:9/graphql';

describe('supergraph with the authorization directives (docs/findings.md #1)', () => {
  const composed = composeSupergraph([
    { name: 'people-data', url: deadUrl, sdl: peopleSdl },
    { name: 'places', url: deadUrl, sdl: placesSdl },
  ]);

  test('composition marks the authorization links for: SECURITY, which Apollo Gateway 2.14 refuses', async () => {
    assert.match(composed, /@link\(url: "https:\/\/specs\.apollo\.dev\/authenticated\/v0\.1", for: SECURITY\)/);
    assert.match(composed, /@link\(url: "https:\/\/specs\.apollo\.dev\/policy\/v0\.1", for: SECURITY\)/);
    const stock = new ApolloGateway({ supergraphSdl: composed });
    await assert.rejects(stock.load(), /is for: SECURITY but is unsupported/);
  });

  test('the rewritten SDL loads in Apollo Gateway; the original keeps the directives for authorization', async () => {
    const loaded = loadSupergraph(composed);
    assert.doesNotMatch(loaded.gatewaySdl, /for: SECURITY\)/);
    assert.match(loaded.gatewaySdl, /@link\(url: "https:\/\/specs\.apollo\.dev\/authenticated\/v0\.1"\)/);
    // Only the three authorization links change.
    assert.equal(loaded.gatewaySdl.split('\n').length, composed.split('\n').length);
    assert.match(loaded.gatewaySdl, /@link\(url: "https:\/\/specs\.apollo\.dev\/join\/v0\.5", for: EXECUTION\)/);

    const gateway = new ApolloGateway({ supergraphSdl: loaded.gatewaySdl });
    const { schema } = await gateway.load();
    assert.ok(schema.getQueryType()?.getFields().secretNote);
    await gateway.stop();

    const guarded: string[] = [];
    visit(loaded.document, {
      FieldDefinition(field, _key, _parent, _path, ancestors) {
        const owner = ancestors[ancestors.length - 1] as { kind: Kind; name?: { value: string } };
        for (const directive of field.directives ?? []) {
          if (directive.name.value === 'authenticated' || directive.name.value === 'policy') {
            guarded.push(`${owner.name?.value}.${field.name.value} @${directive.name.value}`);
          }
        }
      },
    });
    assert.deepEqual(guarded.sort(), ['Person.phone @policy', 'Query.secretNote @authenticated']);
    assert.deepEqual(
      loaded.subgraphs.map((s) => [s.name, s.graph, s.url]),
      [
        ['people-data', 'PEOPLE_DATA', deadUrl],
        ['places', 'PLACES', deadUrl],
      ],
    );
  });

  test('sdlForApolloGateway leaves other links and a supergraph without the directives unchanged', () => {
    const plain = 'schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION) { query: Query }';
    assert.equal(sdlForApolloGateway(plain), plain);
  });

  test('a document that is not a supergraph is refused with a reason', () => {
    assert.throws(() => loadSupergraph('type Query { a: Int }'), /not a supergraph/);
    assert.throws(() => loadSupergraph('type Query {'), /Syntax Error/);
  });
});

function nextReload(gateway: RunningGateway): Promise<ReloadOutcome> {
  return new Promise((resolve) => {
    const off = gateway.onReload((outcome) => {
      off();
      resolve(outcome);
    });
  });
}

async function wardFields(url: string): Promise<string[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __type(name: "Ward") { fields { name } } }' }),
  });
  const body = (await response.json()) as { data: { __type: { fields: Array<{ name: string }> } } };
  return body.data.__type.fields.map((f) => f.name).sort();
}

describe('supergraph hot reload', () => {
  test('a changed file is picked up by the watcher; a broken one is logged and the previous schema keeps serving', async () => {
    const fed = await startTestFederation();
    const gateway = await startGateway(fed.config, { issuer: fed.issuer, metrics: createMetricsRegistry('gateway-test') });
    try {
      assert.deepEqual(await wardFields(gateway.url), ['code', 'name']);

      const extendedPlaces = placesSdl.replace('  name: String!\n', '  name: String!\n  """Population (dân số)."""\n  population: Int\n');
      const extended = composeSupergraph([fed.people, { name: 'places', url: fed.places.url, sdl: extendedPlaces }]);
      let reloaded = nextReload(gateway);
      await writeFile(fed.supergraph.path, extended);
      assert.equal((await reloaded).status, 'updated');
      assert.deepEqual(await wardFields(gateway.url), ['code', 'name', 'population']);

      reloaded = nextReload(gateway);
      await writeFile(fed.supergraph.path, 'type Query {');
      const broken = await reloaded;
      assert.equal(broken.status, 'rejected');
      assert.match(broken.status === 'rejected' ? broken.error.message : '', /Syntax Error/);
      assert.deepEqual(await wardFields(gateway.url), ['code', 'name', 'population']);

      // Parses and names subgraphs, but Apollo Gateway refuses it (the join spec link is gone).
      reloaded = nextReload(gateway);
      await writeFile(fed.supergraph.path, extended.replace(/@link\(url: "https:\/\/specs\.apollo\.dev\/join\/v0\.5", for: EXECUTION\)/, ''));
      assert.equal((await reloaded).status, 'rejected');
      const people = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ person(id: "3") { ward { name } } }' }),
      });
      assert.deepEqual(await people.json(), { data: { person: { ward: { name: 'Phường Ba Đình' } } } });

      // Rejected files never replaced the served schema: writing it back is no change.
      await writeFile(fed.supergraph.path, extended);
      assert.equal((await gateway.reload()).status, 'unchanged');
    } finally {
      await gateway.close();
      await fed.cleanup();
    }
  });
});

describe('subgraph URL overrides', () => {
  test('SUBGRAPH_<NAME>_URL replaces the URL from the supergraph, for queries and readiness', async () => {
    const fed = await startTestFederation();
    // The supergraph names unreachable URLs; the overrides point at the real subgraphs.
    await writeFile(
      fed.supergraph.path,
      composeSupergraph([
        { name: 'people-data', url: deadUrl, sdl: peopleSdl },
        { name: 'places', url: deadUrl, sdl: placesSdl },
      ]),
    );
    const gateway = await startGateway(
      { ...fed.config, subgraphUrlOverrides: { SUBGRAPH_PEOPLE_DATA_URL: fed.people.url, SUBGRAPH_PLACES_URL: fed.places.url } },
      { issuer: fed.issuer, metrics: createMetricsRegistry('gateway-test') },
    );
    try {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ person(id: "3") { ward { name } } }' }),
      });
      assert.deepEqual(await response.json(), { data: { person: { ward: { name: 'Phường Ba Đình' } } } });
      assert.deepEqual(
        gateway.supergraph().subgraphs.map((s) => s.url),
        [fed.people.url, fed.places.url],
      );
      assert.equal((await fetch(new URL('/health/ready', gateway.url))).status, 200);
    } finally {
      await gateway.close();
      await fed.cleanup();
    }
  });

  test('a missing supergraph file fails start-up naming SUPERGRAPH_FILE', async () => {
    const fed = await startTestFederation();
    try {
      await assert.rejects(
        startGateway(
          { ...fed.config, supergraphFile: '/nonexistent/supergraph.graphql' },
          { issuer: await createInternalTokenIssuer({ ttlSeconds: 60 }), metrics: createMetricsRegistry('gateway-test') },
        ),
        /SUPERGRAPH_FILE=\/nonexistent\/supergraph\.graphql: cannot read/,
      );
    } finally {
      await fed.cleanup();
    }
  });
});
