/**
 * The contract: this SDL composes with the other subgraphs as they are (shared enums identical, entity stubs
 * matching their owners' keys), and the query planner plans a subscription whose primary part runs here and the
 * rest in relay and catalogs (docs/findings.md #2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeServices } from '@apollo/composition';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse, type DocumentNode, type EnumTypeDefinitionNode } from 'graphql';
import { ACCESS_REQUEST_STATES, AGENCY_CHANGES, AGENCY_STATUSES, SERVICE_NOTICE_CHANGES } from '@lgsp/events/topics';
import { readSubgraphSdl, subgraphs } from '../../../schema/src/subgraphs.ts';
import { typeDefs } from './service.ts';

const others = subgraphs
  .filter((s) => s.name !== 'subscriptions')
  .map((s) => ({ name: s.name, url: s.url, typeDefs: parse(readSubgraphSdl(s)) as DocumentNode }));

test('composes with catalogs, national-data and relay', () => {
  const result = composeServices([...others, { name: 'subscriptions', url: 'http://127.0.0.1:4104/graphql', typeDefs }]);
  assert.equal(result.errors, undefined, result.errors?.map((e) => e.message).join('\n'));
  assert.match(result.supergraphSdl!, /packetAvailable\(/);
});

test('a subscription plans its primary fetch here and the packet and agency fields in relay and catalogs', () => {
  const result = composeServices([...others, { name: 'subscriptions', url: 'http://127.0.0.1:4104/graphql', typeDefs }]);
  // As the gateway does (docs/findings.md #1): Apollo's supergraph loader refuses the SECURITY features it does not implement.
  const supergraph = Supergraph.build(result.supergraphSdl!.replaceAll(', for: SECURITY)', ')'));
  const operation = operationFromDocument(supergraph.schema, parse('subscription { packetAvailable { eventId packet { id title } source { code name } } }'));
  const plan = new QueryPlanner(supergraph).buildQueryPlan(operation);
  const node = plan.node as { kind: string; primary: { serviceName: string }; rest?: unknown };
  assert.equal(node.kind, 'Subscription');
  assert.equal(node.primary.serviceName, 'subscriptions');
  const rest = JSON.stringify(node.rest);
  assert.match(rest, /"serviceName":"relay"/);
  assert.match(rest, /"serviceName":"catalogs"/);
});

test('the enums of the registry events are the values @lgsp/events defines for their publishers', () => {
  const enums = new Map(
    typeDefs.definitions
      .filter((d): d is EnumTypeDefinitionNode => d.kind === 'EnumTypeDefinition')
      .map((d) => [d.name.value, (d.values ?? []).map((v) => v.name.value)]),
  );
  assert.deepEqual(enums.get('AccessRequestState'), [...ACCESS_REQUEST_STATES]);
  assert.deepEqual(enums.get('AgencyChange'), [...AGENCY_CHANGES]);
  assert.deepEqual(enums.get('AgencyStatus'), [...AGENCY_STATUSES]);
  assert.deepEqual(enums.get('ServiceNoticeChange'), [...SERVICE_NOTICE_CHANGES]);
});
