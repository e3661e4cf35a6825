/**
 * `@lgsp/audit`: the audit trail of the platform — records, the hash chain, signed checkpoints, the writer every
 * component records through, statistics rollups, and the log's adapters. See README.md.
 */
export * from './record.ts';
export * from './chain.ts';
export * from './audit-log.ts';
export * from './statistics.ts';
export * from './checkpoint.ts';
export * from './subjects.ts';
export * from './writer.ts';
export * from './metrics.ts';
export * from './entry-schema.ts';
export * from './query.ts';
export * from './keys.ts';
export * from './memory-audit-log.ts';
export * from './redis/redis-audit-log.ts';
export * from './redis/record-writes.ts';
export * from './http/http-audit-log.ts';
export * from './http/router.ts';
export * from './config.ts';
export * from './signing.ts';
export * from './verify.ts';
export * from './export.ts';
export * from './cli/audit-command.ts';
