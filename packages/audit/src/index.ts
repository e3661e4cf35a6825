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
export * from './memory-audit-log.ts';
