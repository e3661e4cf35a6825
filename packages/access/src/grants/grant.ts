/**
 * A grant (thỏa thuận chia sẻ dữ liệu): provider agency P lets consumer agency C read field set F of service S for
 * purposes U, valid from/to, optionally only for the records that meet a row condition. Field sets are the
 * `@policy` names in the subgraph schemas (`national-data.citizen.personal`), so a grant is what makes a policy
 * true for a caller.
 */
import { ENVIRONMENTS, type Environment, type RowCondition } from '@lgsp/kit';
import { z } from 'zod';

/** QCVN 102:2016 agency identifier code, AAA.BB.CC.XNN. */
const AGENCY_CODE = /^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$/;
/** Policy names: `<service>.<dotted.field-set>`, lower-case. */
const POLICY_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** Every agency (with a verified agency code) — for grants such as "all agencies read an enterprise's basics". */
export const ANY_AGENCY = '*';
/** Any declared purpose, or none at all for a field set that is not personal data. */
export const ANY_PURPOSE = '*';

const isoInstant = z.string().refine((v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v), 'must be an ISO 8601 date-time');

export const rowConditionSchema = z
  .object({
    residentOfWard: z
      .string()
      .regex(/^\d{5}$/, 'must be a 5-digit GSO commune code')
      .optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'a row condition needs at least one clause');

/** A rate per consumer and service: at most `requests` requests in any window of `perSeconds` seconds. */
export const quotaSchema = z
  .object({
    /** Requests allowed in one window (1 to 1,000,000). */
    requests: z.number().int().min(1).max(1_000_000),
    /** The window, in seconds (1 to 86,400: one day). */
    perSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();

/** A grant's quota (absent = no quota). */
export type Quota = z.infer<typeof quotaSchema>;

export const grantSchema = z
  .object({
    /** Stable identifier, e.g. `congan-h41.citizen-personal.ubnd-truongvinh`. */
    id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits, _ . : - (at most 128)'),
    /** The agency that owns the data and gives the grant. */
    provider: z.string().regex(AGENCY_CODE, 'must be an agency code AAA.BB.CC.XNN'),
    /** The agency that may read, or `*` for every agency. */
    consumer: z.union([z.literal(ANY_AGENCY), z.string().regex(AGENCY_CODE, 'must be an agency code AAA.BB.CC.XNN or *')]),
    /** The subgraph (service) the field sets belong to. */
    service: z.string().regex(/^[a-z0-9-]+$/),
    /** Field sets (policy names), each `<service>.…`. */
    fieldSets: z.array(z.string().regex(POLICY_NAME, 'must be a policy name such as national-data.citizen.basic')).min(1),
    /** Purpose categories the reads must declare (the part of X-LGSP-Purpose before ":"), or `*`. */
    purposes: z.array(z.string().regex(/^(\*|[a-z0-9-]+)$/, 'must be a purpose category (a-z, 0-9, -) or *')).min(1),
    /** Inclusive start (ISO 8601 date-time). */
    validFrom: isoInstant,
    /** Exclusive end (ISO 8601 date-time); absent = until revoked. */
    validTo: isoInstant.optional(),
    /** Only the records meeting this condition (checked per record by the owning subgraph). */
    rowCondition: rowConditionSchema.optional(),
    /** Legal basis or agreement reference, for the audit trail (the registry names the access request). */
    basis: z.string().max(500).optional(),
    /**
     * The environment whose callers the grant serves: `test` grants serve only test credentials (claim
     * `lgsp_environment: "test"`), production grants only production ones. Absent = `production`.
     */
    environment: z.enum(ENVIRONMENTS as [Environment, ...Environment[]], { message: 'must be production or test' }).optional(),
    /** The rate the consumer may call the service at under this grant (absent = no quota). */
    quota: quotaSchema.optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    for (const fieldSet of g.fieldSets) {
      if (!fieldSet.startsWith(`${g.service}.`))
        ctx.addIssue({ code: 'custom', path: ['fieldSets'], message: `${fieldSet} is not a field set of service ${g.service}` });
    }
    if (g.validTo !== undefined && Date.parse(g.validTo) <= Date.parse(g.validFrom)) {
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be after validFrom' });
    }
  });

export type Grant = z.infer<typeof grantSchema> & { rowCondition?: RowCondition };

/** A field set as its provider declares it: whether it is personal data (then every read needs a purpose). */
export const fieldSetSchema = z
  .object({
    policy: z.string().regex(POLICY_NAME),
    provider: z.string().regex(AGENCY_CODE),
    personalData: z.boolean(),
    description: z.string().min(1),
  })
  .strict();

export type FieldSet = z.infer<typeof fieldSetSchema>;

export const grantsFileSchema = z.object({
  developmentData: z.boolean().optional(),
  note: z.string().optional(),
  fieldSets: z.array(fieldSetSchema),
  grants: z.array(grantSchema),
});

export type GrantsFile = z.infer<typeof grantsFileSchema>;

/** Parses a grant, throwing an Error whose message lists every problem. */
export function parseGrant(value: unknown): Grant {
  const result = grantSchema.safeParse(value);
  if (!result.success) throw new Error(`invalid grant: ${result.error.issues.map((i) => `${i.path.join('.') || '(grant)'}: ${i.message}`).join('; ')}`);
  return result.data;
}

/** The environment a grant serves (absent = production). */
export function grantEnvironment(grant: Grant): Environment {
  return grant.environment ?? 'production';
}

/** Whether the grant is in force at `now` (validFrom inclusive, validTo exclusive). */
export function isActive(grant: Grant, now: number): boolean {
  return Date.parse(grant.validFrom) <= now && (grant.validTo === undefined || now < Date.parse(grant.validTo));
}

/** The next instant after `now` at which the grant starts or stops being in force, if any. */
export function nextBoundary(grant: Grant, now: number): number | undefined {
  const from = Date.parse(grant.validFrom);
  if (from > now) return from;
  if (grant.validTo !== undefined) {
    const to = Date.parse(grant.validTo);
    if (to > now) return to;
  }
  return undefined;
}
