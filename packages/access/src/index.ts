/**
 * `@lgsp/access`: who may read what on the platform — grants (thỏa thuận chia sẻ dữ liệu), credential revocations and
 * the change log — each a port with memory, Redis and HTTP adapters, the HTTP router that serves them, and the
 * operators' grants command. See README.md.
 */
export * from './grants/grant.ts';
export * from './grants/grant-store.ts';
export * from './grants/memory-grant-store.ts';
export * from './grants/redis-grant-store.ts';
export * from './grants/http-grant-store.ts';
export * from './grants/grants-file.ts';
export * from './grants/admin/grant-change.ts';
export * from './grants/admin/grant-input.ts';
export * from './grants/admin/grants-table.ts';
export * from './grants/admin/grants-command.ts';
export * from './revocations/credential-revocations.ts';
export * from './revocations/memory-credential-revocations.ts';
export * from './revocations/redis-credential-revocations.ts';
export * from './revocations/http-credential-revocations.ts';
export * from './changes/change-log.ts';
export * from './changes/memory-change-log.ts';
export * from './changes/redis-change-log.ts';
export * from './changes/http-change-log.ts';
export * from './changes/audited-change-log.ts';
export * from './http/client.ts';
export * from './http/router.ts';
export * from './keys.ts';
