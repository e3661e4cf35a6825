/**
 * What a module of the monitoring subgraph is, and what it is given. The subgraph is a set of modules (audit
 * queries, health, statistics, reconciliation, reports), each a folder with its own `schema.graphql` fragment
 * (`extend type Query { … }`), resolvers and a `start` that opens what it needs and answers how to close it. The
 * service assembles the schema from `src/schema.graphql` (root types, shared scalars) and each module's fragment,
 * merges the resolvers and starts the modules before it listens (modules.ts lists them).
 */
import type { Express } from 'express';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { AuditLog, AuditWriter, SubjectHasher } from '@lgsp/audit';
import type { AgencyNames } from './reports/agency-names.ts';
import type { AuditPublicKey } from './audit/public-keys.ts';
import type { EventPublisher } from '@lgsp/events';
import type { BaseContext, Logger, ReadinessCheck, RedisClient, Registry as MetricsRegistry } from '@lgsp/kit';
import type { MonitoringConfig } from './config.ts';
import type { Caller } from './caller.ts';
import type { RegistryClient } from './registry-client.ts';

/** What every module is given at start. */
export interface MonitoringDeps {
  config: MonitoringConfig;
  logger: Logger;
  metrics: MetricsRegistry;
  /** The audit log this process reads (and, without Redis, holds for the platform). */
  log: AuditLog;
  /** Hashes a subject as every audit writer does (the shared AUDIT_SUBJECT_KEY_FILE). */
  hasher: SubjectHasher;
  /** This process's own audit records (who looked at the audit, health reports received). */
  audit: AuditWriter;
  /**
   * The public keys the chain's checkpoints may be signed with: the monitoring's signing key (AUDIT_SIGNING_KEY_FILE)
   * and the earlier keys of AUDIT_VERIFY_PUBLIC_KEYS_FILE.
   */
  auditPublicKeys: AuditPublicKey[];
  /** Agency names by code (the registry's, when REGISTRY_URL is set; else none known). */
  agencyNames: AgencyNames;
  /** The registry's internal API; null when REGISTRY_URL is unset. */
  registry: RegistryClient | null;
  /** Where events go (`@lgsp/events`: Redis stream, the subscriptions service, or kept in memory). */
  events: EventPublisher;
  /** The Redis client when REDIS_URL is set (modules key under `config.REDIS_KEY_PREFIX`); null in memory mode. */
  redis: RedisClient | null;
  /** The clock (tests move it). */
  now: () => Date;
}

/** A module once started: its state (what its resolvers read at `ctx.modules[name]`) and how to stop it. */
export interface StartedModule<S = unknown> {
  state: S;
  close(): Promise<void>;
  /** HTTP routes of its own (mounted before `/graphql`, not behind the gateway's token: guard them yourself). */
  routes?: (app: Express) => void;
  /** Checks added to `/health/ready`. */
  readiness?: Record<string, ReadinessCheck>;
}

export interface MonitoringModule<S = unknown> {
  /** The module's name: its folder under src/ and its key in `ctx.modules`. */
  name: string;
  /** Its schema fragment (`new URL('./schema.graphql', import.meta.url)`). */
  typeDefsFile: URL;
  resolvers: GraphQLResolverMap<MonitoringContext>;
  start(deps: MonitoringDeps): Promise<StartedModule<S>>;
}

/** What every resolver of the monitoring subgraph receives. */
export interface MonitoringContext extends BaseContext {
  caller: Caller;
  /** Each started module's state, by name. */
  modules: Record<string, unknown>;
}

/** A module's state from the context (its resolvers know its type). */
export function moduleState<S>(ctx: MonitoringContext, name: string): S {
  const state = ctx.modules[name];
  if (state === undefined) throw new Error(`monitoring module ${name} is not started`);
  return state as S;
}
