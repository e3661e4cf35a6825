/**
 * Builds the gateway's audit: the writer and its log (@lgsp/audit's `startAuditWriter`: Redis with REDIS_URL, else
 * monitoring's log with MONITORING_URL, else memory) and the pipeline step. Off (GATEWAY_AUDIT=off) it is an empty
 * step and a pass-through middleware. `close` writes everything queued (a clean shutdown loses no record); call it
 * after the servers stopped taking requests.
 */
import { startAuditWriter, type AuditLog, type AuditWriter } from '@lgsp/audit';
import { readGrantsFile, type FieldSet } from '@lgsp/access';
import type { Logger, RedisClient, Registry } from '@lgsp/kit';
import type { RequestHandler } from 'express';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import type { PipelineStep } from '../pipeline/request-pipeline.ts';
import { TouchedServices } from '../quotas/touched-services.ts';
import { AUDIT_SOURCE, GatewayAuditor } from './audit-step.ts';
import type { GatewayAuditConfig } from './config.ts';

export interface GatewayAudit {
  /** The pipeline step (after authorization). */
  step: PipelineStep;
  /** For `/graphql`, before authentication: records HTTP requests refused before GraphQL too. */
  middleware: RequestHandler;
  /** Undefined when GATEWAY_AUDIT=off. */
  writer: AuditWriter | undefined;
  log: AuditLog | undefined;
  close(): Promise<void>;
}

export async function startGatewayAudit(
  config: GatewayAuditConfig,
  deps: {
    production: boolean;
    /** GRANTS_FILE: its field sets say which policies are personal data and who provides them. */
    grantsFile: string | undefined;
    supergraph: () => LoadedSupergraph;
    logger: Logger;
    redis: RedisClient | undefined;
    /** REDIS_KEY_PREFIX. */
    keyPrefix: string;
    registry: Registry;
    /** A log made by the caller (tests, the bench): used instead of the one the settings pick, and not closed here. */
    log?: AuditLog | undefined;
  },
): Promise<GatewayAudit> {
  if (!config.enabled) {
    return { step: { name: 'audit' }, middleware: (_req, _res, next) => next(), writer: undefined, log: undefined, close: async () => undefined };
  }
  const fieldSets: FieldSet[] = deps.grantsFile === undefined ? [] : (await readGrantsFile(deps.grantsFile)).fieldSets;
  const started = startAuditWriter({
    config: config.writer,
    redis: deps.redis,
    keyPrefix: deps.keyPrefix,
    logger: deps.logger,
    source: AUDIT_SOURCE,
    registry: deps.registry,
    production: deps.production,
    log: deps.log,
  });
  const auditor = new GatewayAuditor({
    writer: started.writer,
    supergraph: deps.supergraph,
    fieldSets,
    providers: config.providers,
    services: new TouchedServices(deps.supergraph),
    logger: deps.logger,
  });
  return { step: auditor.step(), middleware: auditor.middleware(), writer: started.writer, log: started.log, close: () => started.close() };
}
