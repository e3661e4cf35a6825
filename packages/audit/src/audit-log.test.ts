/** Runs the AuditLog contract against memory, real Redis (two connections) and HTTP (a real server on loopback). */
import { describeAuditLogContract } from './contract.ts';
import { createMemoryAuditLog } from './memory-audit-log.ts';
import { auditLogsOnRedis, auditLogsOverHttp } from './testing.ts';

describeAuditLogContract('memory', async () => {
  const log = createMemoryAuditLog();
  return { log, peer: log, cleanup: () => log.close() };
});

describeAuditLogContract('redis', auditLogsOnRedis);

describeAuditLogContract('http', auditLogsOverHttp);
