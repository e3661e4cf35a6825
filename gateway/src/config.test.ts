import { ConfigError } from '@lgsp/kit';
import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import { test } from 'node:test';
import { gatewayConfigFromEnv, subgraphUrlVariable } from './config.ts';

test('defaults: port 4000 on 127.0.0.1, the repository supergraph, introspection outside production', () => {
  const config = gatewayConfigFromEnv({});
  assert.equal(config.port, 4000);
  assert.equal(config.host, '127.0.0.1');
  assert.ok(isAbsolute(config.supergraphFile));
  assert.match(config.supergraphFile, /schema\/supergraph\.graphql$/);
  assert.equal(config.introspection, true);
  assert.equal(config.production, false);
  assert.equal(config.internalTokenTtlSeconds, 60);
  assert.equal(config.redisUrl, undefined);
  assert.deepEqual(config.subgraphUrlOverrides, {});
});

test('production turns introspection off unless GATEWAY_INTROSPECTION=true', () => {
  assert.equal(gatewayConfigFromEnv({ NODE_ENV: 'production' }).introspection, false);
  assert.equal(gatewayConfigFromEnv({ NODE_ENV: 'production', GATEWAY_INTROSPECTION: 'true' }).introspection, true);
  assert.equal(gatewayConfigFromEnv({ GATEWAY_INTROSPECTION: 'false' }).introspection, false);
});

test('SUBGRAPH_<NAME>_URL variables are collected and matched by the subgraph name', () => {
  const config = gatewayConfigFromEnv({ SUBGRAPH_NATIONAL_DATA_URL: 'http://10.0.0.5:4102/graphql', SUBGRAPH_CATALOGS_URL: ' http://catalogs/graphql ' });
  assert.equal(subgraphUrlVariable('national-data'), 'SUBGRAPH_NATIONAL_DATA_URL');
  assert.equal(config.subgraphUrlOverrides[subgraphUrlVariable('national-data')], 'http://10.0.0.5:4102/graphql');
  assert.equal(config.subgraphUrlOverrides[subgraphUrlVariable('catalogs')], 'http://catalogs/graphql');
});

test('every problem names its variable', () => {
  try {
    gatewayConfigFromEnv({
      PORT: 'eighty',
      REDIS_URL: 'http://not-redis',
      SUBGRAPH_TIMEOUT_MS: '-1',
      INTERNAL_TOKEN_TTL_SECONDS: '5',
      GATEWAY_INTROSPECTION: 'maybe',
      SUBGRAPH_CATALOGS_URL: 'catalogs:4101',
    });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const variables = error.problems.map((p) => p.split(':')[0]).sort();
    assert.deepEqual(variables, ['GATEWAY_INTROSPECTION', 'INTERNAL_TOKEN_TTL_SECONDS', 'PORT', 'REDIS_URL', 'SUBGRAPH_CATALOGS_URL', 'SUBGRAPH_TIMEOUT_MS']);
  }
});

test('operation limits: defaults, overrides, and refusals naming the variable', () => {
  assert.deepEqual(gatewayConfigFromEnv({}).operationLimits, { maxDepth: 12, maxFields: 2000, maxAliases: 100, maxTokens: 10000 });
  assert.deepEqual(
    gatewayConfigFromEnv({ GATEWAY_MAX_DEPTH: '8', GATEWAY_MAX_FIELDS: '500', GATEWAY_MAX_ALIASES: '0', GATEWAY_MAX_TOKENS: '2000' }).operationLimits,
    {
      maxDepth: 8,
      maxFields: 500,
      maxAliases: 0,
      maxTokens: 2000,
    },
  );
  assert.throws(
    () => gatewayConfigFromEnv({ GATEWAY_MAX_DEPTH: '0', GATEWAY_MAX_FIELDS: 'many', GATEWAY_MAX_ALIASES: '-1', GATEWAY_MAX_TOKENS: '10' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      ['GATEWAY_MAX_ALIASES', 'GATEWAY_MAX_DEPTH', 'GATEWAY_MAX_FIELDS', 'GATEWAY_MAX_TOKENS'].every((v) => error.problems.some((p) => p.startsWith(`${v}:`))),
  );
});

test('GATEWAY_EXPLORER: GraphiQL served by the gateway by default, Apollo Sandbox on demand, anything else refused naming the variable', () => {
  assert.equal(gatewayConfigFromEnv({}).explorer, 'graphiql');
  assert.equal(gatewayConfigFromEnv({ GATEWAY_EXPLORER: 'apollo-sandbox' }).explorer, 'apollo-sandbox');
  assert.equal(gatewayConfigFromEnv({ GATEWAY_EXPLORER: '' }).explorer, 'graphiql', 'empty counts as unset, as for every variable');
  for (const value of ['sandbox', 'altair', 'GraphiQL']) {
    assert.throws(
      () => gatewayConfigFromEnv({ GATEWAY_EXPLORER: value }),
      (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.startsWith('GATEWAY_EXPLORER: must be graphiql or apollo-sandbox')),
      `GATEWAY_EXPLORER=${JSON.stringify(value)}`,
    );
  }
});

test('GATEWAY_EXECUTOR: native by default, apollo on demand; the retired merged is refused naming the variable and what replaced it', () => {
  assert.equal(gatewayConfigFromEnv({}).executor, 'native');
  assert.equal(gatewayConfigFromEnv({ GATEWAY_EXECUTOR: 'apollo' }).executor, 'apollo');
  for (const value of ['merged', 'Native', 'stock']) {
    assert.throws(
      () => gatewayConfigFromEnv({ GATEWAY_EXECUTOR: value }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some(
          (p) =>
            p.startsWith('GATEWAY_EXECUTOR: must be native or apollo (merged was retired: native merges the same entity fetches') &&
            p.endsWith(`(got "${value}")`),
        ),
      `GATEWAY_EXECUTOR=${JSON.stringify(value)}`,
    );
  }
});
