/**
 * Part (f), second half: the audit step alone, in this process — its CPU time per operation, so the figure holds
 * even when the machine is busy (CPU time of this process, not throughput).
 *
 * The real step (gateway/src/audit/: `GatewayAuditor` with its HTTP middleware, Apollo plugin and executor stage) on
 * the committed supergraph and the development field sets, for a citizen lookup by the Police with a purpose whose
 * answer names the citizen and five household members: per operation it notes the request, records what
 * authorization let through, and once the response is "sent" builds the record (fields, personal fields, services,
 * providers, subjects from the arguments and the response) and hands it to the real writer, which hashes the
 * subjects (HMAC-SHA256) and appends batches to the log — in memory (the chain's SHA-256 and the rollups in this
 * process), and on Redis when `REDIS_URL` is set (the appends' CPU on this side; Redis's own is its process's).
 */
import type { GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { createMemoryAuditLog, createRedisAuditLog, createAuditWriter, DEV_SUBJECT_KEY, subjectHasher, type AuditLog } from '@lgsp/audit';
import { readGrantsFile } from '@lgsp/access';
import { connectRedis, createLogger, type Principal } from '@lgsp/kit';
import { parse } from 'graphql';
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayAuditor } from '../../gateway/src/audit/audit-step.ts';
import { compileAuthorization } from '../../gateway/src/authorization/metadata.ts';
import type { GatewayContext } from '../../gateway/src/context.ts';
import { loadSupergraph } from '../../gateway/src/federation/supergraph.ts';
import { TouchedServices } from '../../gateway/src/quotas/touched-services.ts';
import { REPO_ROOT } from '../lib/child.ts';

export interface AuditRecordCost {
  row: string;
  operations: number;
  /** CPU time of this process per operation (step + writer + log), µs. */
  cpuMicros: number;
}

const QUERY = `query CitizenLookup($id: String!) {
  citizen(personalId: $id) { personalId fullName dateOfBirth permanentAddress { ward { code name } } household { members { personalId } } }
}`;
const IDS = ['040074988660', '036180777846', '040201000001', '040201000002', '040201000003', '040201000004'];
const RESULT = {
  data: {
    citizen: {
      personalId: IDS[0],
      fullName: 'Trần Quốc Hòa',
      dateOfBirth: '1974-06-17',
      permanentAddress: { ward: { code: '16750', name: 'Xã Tiền Phong' } },
      household: { members: IDS.slice(1).map((personalId) => ({ personalId })) },
    },
  },
};

export async function measureAuditRecordCost(operations: number, redisUrl: string | undefined): Promise<AuditRecordCost[]> {
  const supergraph = loadSupergraph(await readFile(join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8'));
  const schema = compileAuthorization(supergraph.document).schema;
  const { fieldSets } = await readGrantsFile(join(REPO_ROOT, 'gateway/src/authorization/grants/development-grants.json'));
  const logger = createLogger('bench', 'silent');
  const document = parse(QUERY);
  const queryHash = createHash('sha256').update(QUERY).digest('hex');
  const principal: Principal = {
    kind: 'system',
    agencyCode: '000.00.02.H41',
    systemId: 'congan-h41-dancu',
    roles: [],
    scopes: [],
    purpose: 'law-enforcement:BENCH-1',
  };
  const body = JSON.stringify({ query: QUERY, variables: { id: IDS[0] } });
  const answer = JSON.stringify(RESULT);

  const rows: AuditRecordCost[] = [];
  const run = async (row: string, log: AuditLog | undefined) => {
    const writer = log === undefined ? undefined : createAuditWriter({ log, hasher: subjectHasher(DEV_SUBJECT_KEY), logger });
    const auditor =
      writer === undefined
        ? undefined
        : new GatewayAuditor({ writer, supergraph: () => supergraph, fieldSets, providers: {}, services: new TouchedServices(() => supergraph), logger });
    const middleware = auditor?.middleware();
    const step = auditor?.step();
    const stage = step?.executorStage?.(async () => RESULT);
    const once = async () => {
      // What Express and Apollo Server hand the step for one HTTP request (objects of their shape, no network).
      const res = Object.assign(new EventEmitter(), {
        locals: { requestId: randomUUID(), principal } as Record<string, unknown>,
        statusCode: 200,
        getHeader: (name: string) => (name === 'content-length' ? String(answer.length) : 'application/graphql-response+json'),
      });
      const req = { method: 'POST', headers: { 'content-length': String(body.length) }, url: '/graphql' };
      if (middleware !== undefined) middleware(req as never, res as never, () => undefined);
      const context = { requestId: res.locals.requestId as string, principal, logger, operation: res.locals.operation ?? { errorCodes: [] } } as GatewayContext;
      const request = { query: QUERY, variables: { id: IDS[0] }, operationName: 'CitizenLookup' };
      const listener = await step?.plugin?.requestDidStart?.({ contextValue: context } as never);
      if (stage !== undefined)
        await stage({ context, document, queryHash, request, schema, operationName: 'CitizenLookup' } as unknown as GatewayGraphQLRequestContext);
      await listener?.willSendResponse?.({
        contextValue: context,
        request,
        document,
        schema,
        queryHash,
        operationName: 'CitizenLookup',
        operation: document.definitions[0],
        response: { body: { kind: 'single', singleResult: RESULT } },
      } as unknown as GraphQLRequestContextWillSendResponse<GatewayContext>);
      res.emit('finish');
    };
    for (let i = 0; i < Math.min(operations, 2_000); i++) await once();
    await writer?.flush();
    const before = process.cpuUsage();
    for (let i = 0; i < operations; i++) await once();
    await writer?.flush();
    const used = process.cpuUsage(before);
    await writer?.close();
    if (log !== undefined) {
      const head = await log.head();
      if ((head?.seq ?? 0) < operations) throw new Error(`${row}: ${head?.seq ?? 0} records in the log after ${operations} operations`);
    }
    rows.push({ row, operations, cpuMicros: (used.user + used.system) / operations });
  };

  await run('without the audit step', undefined);
  await run('audit step, memory log', createMemoryAuditLog());
  if (redisUrl !== undefined) {
    const redis = await connectRedis(redisUrl, { name: 'lgsp-bench' });
    const keyPrefix = `lgsp-bench:${randomUUID()}:`;
    try {
      await run('audit step, Redis log', createRedisAuditLog(redis, { keyPrefix }));
    } finally {
      for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    }
  }
  return rows;
}

export function printAuditRecordCost(rows: AuditRecordCost[], gatewayCpuMicrosPerRequest: number | undefined, log: (line: string) => void): void {
  const base = rows[0]?.cpuMicros ?? 0;
  log(
    `audit step alone, in-process (a citizen lookup with 6 personal IDs; CPU of this process per operation${gatewayCpuMicrosPerRequest === undefined ? '' : `; share of the federation request's gateway CPU, ${gatewayCpuMicrosPerRequest.toFixed(0)} µs in the audit off row`}):`,
  );
  for (const r of rows) {
    const extra = r.cpuMicros - base;
    const share =
      gatewayCpuMicrosPerRequest === undefined || r === rows[0]
        ? ''
        : ` = ${((100 * extra) / gatewayCpuMicrosPerRequest).toFixed(1)} % of a federation request`;
    log(`  ${r.row}: ${r.cpuMicros.toFixed(1)} µs${r === rows[0] ? '' : ` (+${extra.toFixed(1)} µs${share})`} over ${r.operations} operations`);
  }
}
