/**
 * The `audit` module: `personalDataAccesses` and `auditRecords` over the audit log (issue 17 §1 queries), each
 * recorded itself. Authorization: authorization.table.ts.
 */
import type { MonitoringModule } from '../module.ts';
import { AuditQueries } from './queries.ts';
import { auditResolvers } from './resolvers.ts';

export const auditModule: MonitoringModule<AuditQueries> = {
  name: 'audit',
  typeDefsFile: new URL('./schema.graphql', import.meta.url),
  resolvers: auditResolvers as never,
  async start(deps) {
    return { state: new AuditQueries({ log: deps.log, hasher: deps.hasher, audit: deps.audit, now: deps.now }), close: async () => undefined };
  },
};
