import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { NoSchemaIntrospectionCustomRule, specifiedRules } from 'graphql';
import { assemblePipeline, type PipelineStep } from './request-pipeline.ts';

/** The smallest gateway Apollo Server accepts: its executor answers with the stages that ran before it. */
function terminalGateway(): GatewayInterface {
  const executor: GatewayExecutor = async (requestContext) => ({ data: { ran: [...(requestContext.context as { ran: string[] }).ran, 'terminal'] } });
  return { onSchemaLoadOrUpdate: () => () => undefined, load: async () => ({ executor }), stop: async () => undefined };
}

const stage = (name: string): PipelineStep => ({
  name,
  executorStage: (next) => (requestContext) => {
    (requestContext.context as { ran: string[] }).ran.push(name);
    return next(requestContext);
  },
});

describe('assemblePipeline', () => {
  it('runs executor stages in step order, the last nearest the executor, composed once per load', async () => {
    const assembled = assemblePipeline([stage('authorization'), { name: 'observability' }, stage('subscriptions')], terminalGateway());
    const { executor } = await assembled.gateway.load({
      apollo: { key: undefined, keyHash: undefined, graphRef: undefined, graphId: undefined, graphVariant: 'current' },
    } as never);
    const result = await executor!({ context: { ran: [] } } as unknown as GatewayGraphQLRequestContext);
    assert.deepEqual(result.data, { ran: ['authorization', 'subscriptions', 'terminal'] });
  });

  it('collects parse options, validation rules and plugins in step order, and refuses a step listed twice', () => {
    const plugin = {};
    const assembled = assemblePipeline(
      [
        { name: 'limits', parseOptions: { maxTokens: 10 }, validationRules: [specifiedRules[0]!] },
        { name: 'introspection', validationRules: [NoSchemaIntrospectionCustomRule], plugin },
      ],
      terminalGateway(),
    );
    assert.deepEqual(assembled.parseOptions, { maxTokens: 10 });
    assert.deepEqual(assembled.validationRules, [specifiedRules[0], NoSchemaIntrospectionCustomRule]);
    assert.deepEqual(assembled.plugins, [plugin]);
    assert.throws(() => assemblePipeline([{ name: 'limits' }, { name: 'limits' }], terminalGateway()), /"limits" is listed twice/);
  });
});
