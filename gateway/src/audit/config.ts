/**
 * The audit part of the gateway's configuration (merged into config.ts's schema and table):
 *
 * | variable                     | default | meaning |
 * | ---------------------------- | ------- | ------- |
 * | `GATEWAY_AUDIT`              | `on`    | `on`: one `graphql` audit record per operation, HTTP and graphql-ws (audit/); `off`: none (only for measuring what it costs: the regulations want every read recorded) |
 * | `GATEWAY_AUDIT_PROVIDERS`    | empty   | `subgraph=agency,…`: the provider agency of a subgraph whose fields have no field set with a `provider` in GRANTS_FILE (the field sets' provider is used first) |
 * | `AUDIT_SUBJECT_KEY_FILE`, `MONITORING_URL`, `MONITORING_INTERNAL_TOKEN`, `AUDIT_WRITER_*`, … | see @lgsp/audit's config.ts | the settings every audit writer shares: the subject key (required in production), where the log lives, writer tuning |
 *
 * Where records go (@lgsp/audit's `startAuditWriter`): with `REDIS_URL` the Redis stream
 * (`<REDIS_KEY_PREFIX>audit:…`); else with `MONITORING_URL` monitoring's log over HTTP; else this process's memory,
 * with one warning at start.
 */
import { auditConfigSchema, type AuditConfig } from '@lgsp/audit';
import { z } from 'zod';

/** Agency codes (QCVN 102:2016), as grants name them. */
const AGENCY_CODE = /^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$/;

export const auditEnv = {
  ...auditConfigSchema.shape,
  GATEWAY_AUDIT: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  GATEWAY_AUDIT_PROVIDERS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const providers: Record<string, string> = {};
      for (const pair of value.split(',').map((p) => p.trim())) {
        if (pair === '') continue;
        const [subgraph, agency, ...rest] = pair.split('=').map((p) => p.trim());
        if (rest.length > 0 || subgraph === undefined || !/^[a-z0-9-]+$/.test(subgraph) || agency === undefined || !AGENCY_CODE.test(agency)) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" must be <subgraph>=<agency code>, e.g. catalogs=000.00.01.H41` });
          return z.NEVER;
        }
        providers[subgraph] = agency;
      }
      return providers;
    }),
};

/** What the audit step needs from the configuration. */
export interface GatewayAuditConfig {
  /** GATEWAY_AUDIT=on. */
  enabled: boolean;
  /** GATEWAY_AUDIT_PROVIDERS: subgraph → provider agency, for subgraphs whose field sets name none. */
  providers: Record<string, string>;
  /** The settings every audit writer shares (@lgsp/audit). */
  writer: AuditConfig;
}

export function auditConfigFrom(parsed: AuditConfig & { GATEWAY_AUDIT: 'on' | 'off'; GATEWAY_AUDIT_PROVIDERS: Record<string, string> }): GatewayAuditConfig {
  const writer = Object.fromEntries(Object.keys(auditConfigSchema.shape).map((key) => [key, parsed[key as keyof AuditConfig]])) as AuditConfig;
  return { enabled: parsed.GATEWAY_AUDIT === 'on', providers: parsed.GATEWAY_AUDIT_PROVIDERS, writer };
}
