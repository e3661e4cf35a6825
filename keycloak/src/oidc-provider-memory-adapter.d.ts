/** oidc-provider's own in-memory adapter (not in its typings): sessions, codes, grants and used assertion `jti`s. */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { Adapter } from 'oidc-provider';
  /** A store of its own per call (not the module-wide default), so two issuers in one process share nothing. */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => Adapter;
}
