/**
 * The `audit` module: `personalDataAccesses`, `auditRecords` and a citizen's `myDataAccesses` over the audit log
 * (issue 17 §1, issue 18), each recorded itself, and `auditChainStatus`, the latest result of the chain's verifier
 * (chain-verifier.ts: every AUDIT_VERIFY_INTERVAL_SECONDS from the last record verified, the whole log every
 * AUDIT_VERIFY_FULL_INTERVAL_SECONDS). Authorization: authorization.table.ts.
 */
import type { MonitoringModule } from '../module.ts';
import { ChainVerifier } from './chain-verifier.ts';
import { AuditQueries } from './queries.ts';
import { auditResolvers } from './resolvers.ts';

export const auditModule: MonitoringModule<AuditQueries> = {
  name: 'audit',
  typeDefsFile: new URL('./schema.graphql', import.meta.url),
  resolvers: auditResolvers as never,
  async start(deps) {
    const verifier = new ChainVerifier({
      log: deps.log,
      publicKeys: deps.auditPublicKeys,
      intervalMs: deps.config.AUDIT_VERIFY_INTERVAL_SECONDS * 1000,
      fullIntervalMs: deps.config.AUDIT_VERIFY_FULL_INTERVAL_SECONDS * 1000,
      logger: deps.logger,
      metrics: deps.metrics,
      now: deps.now,
    });
    return {
      state: new AuditQueries({ log: deps.log, hasher: deps.hasher, audit: deps.audit, now: deps.now, verifier, names: deps.agencyNames }),
      close: () => verifier.close(),
    };
  },
};
