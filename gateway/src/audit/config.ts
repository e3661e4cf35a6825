/**
 * The audit part of the gateway's configuration (merged into config.ts's schema and table):
 *
 * | variable                     | default | meaning |
 * | ---------------------------- | ------- | ------- |
 * | `GATEWAY_AUDIT`              | `on`    | `on`: one `graphql` audit record per operation, HTTP and graphql-ws (audit/); `off`: none (only for measuring what it costs: the regulations want every read recorded) |
 * | `AUDIT_SUBJECT_KEY_FILE`     | a fixed development key outside production; required in production | a file holding at least 32 random bytes (hex or raw) that keys the hashes of data subjects (personal IDs, enterprise codes); every writer and the monitoring service share it |
 * | `GATEWAY_AUDIT_PROVIDERS`    | empty   | `subgraph=agency,…`: the provider agency of a subgraph whose fields have no field set with a `provider` in GRANTS_FILE (the field sets' provider is used first) |
 *
 * Where records go: with `REDIS_URL` the Redis stream (`<REDIS_KEY_PREFIX>audit:…`, once `@lgsp/audit` has its Redis
 * adapter); otherwise a process-local memory log, with one warning at start (setup.ts).
 */
import { z } from 'zod';

/** Agency codes (QCVN 102:2016), as grants name them. */
const AGENCY_CODE = /^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$/;

export const auditEnv = {
  GATEWAY_AUDIT: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  AUDIT_SUBJECT_KEY_FILE: z.string().min(1).optional(),
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
export interface AuditConfig {
  /** GATEWAY_AUDIT=on. */
  enabled: boolean;
  /** AUDIT_SUBJECT_KEY_FILE; undefined = the development key (refused at start in production). */
  subjectKeyFile: string | undefined;
  /** GATEWAY_AUDIT_PROVIDERS: subgraph → provider agency, for subgraphs whose field sets name none. */
  providers: Record<string, string>;
}

export function auditConfigFrom(parsed: {
  GATEWAY_AUDIT: 'on' | 'off';
  AUDIT_SUBJECT_KEY_FILE?: string | undefined;
  GATEWAY_AUDIT_PROVIDERS: Record<string, string>;
}): AuditConfig {
  return { enabled: parsed.GATEWAY_AUDIT === 'on', subjectKeyFile: parsed.AUDIT_SUBJECT_KEY_FILE, providers: parsed.GATEWAY_AUDIT_PROVIDERS };
}
