/**
 * The grants the gateway enforces (`@lgsp/access`'s GrantStore), read for people: the operator reads them all, an
 * agency administrator those where its agency is the provider or the consumer (a grant to every agency, `*`,
 * included) — those written by an access request and those configured on the gateway (`npm run grants`, the
 * development grants).
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Caller } from './caller.ts';
import type { RegistryCore } from './registry-core.ts';
import type { Grant } from '../ports/grants.ts';

/** A grant as the registry shows it. */
export interface GrantView {
  grant: Grant;
  /** The access request that wrote it (`registry.<request id>.<environment>`), null for a configured grant. */
  accessRequestId: string | null;
  /** In force at `now` (validFrom ≤ now < validTo). */
  active: boolean;
}

const REGISTRY_ID = /^registry\.(ar-[A-Za-z0-9]+)\.(test|production)$/;

/**
 * The grants the caller may read, filtered by provider and/or consumer agency (a consumer filter includes `*` grants).
 * An administrator's answer is always limited to its own agency's side; naming two other agencies is `FORBIDDEN`.
 */
export async function listGrants(
  core: RegistryCore,
  caller: Caller,
  filter: { providerAgency?: string | null; consumerAgency?: string | null },
): Promise<GrantView[]> {
  const own = caller.agencyAdmin ? caller.agencyCode : null;
  if (!caller.operator && own === null)
    throw new LgspError(
      ErrorCode.FORBIDDEN,
      'Chỉ đơn vị vận hành và quản trị viên cơ quan xem được quyền khai thác (only the operator and an agency administrator read grants)',
    );
  const { providerAgency, consumerAgency } = filter;
  if (!caller.operator && providerAgency != null && consumerAgency != null && providerAgency !== own && consumerAgency !== own)
    throw new LgspError(ErrorCode.FORBIDDEN, `grants between ${providerAgency} and ${consumerAgency} are other agencies' (yours: ${own})`);
  const now = core.now().getTime();
  const consumes = (g: Grant, agency: string) => g.consumer === agency || g.consumer === '*';
  return (await core.grants.list())
    .filter(
      (g) =>
        (caller.operator || g.provider === own || consumes(g, own!)) &&
        (providerAgency == null || g.provider === providerAgency) &&
        (consumerAgency == null || consumes(g, consumerAgency)),
    )
    .map((grant) => ({
      grant,
      accessRequestId: REGISTRY_ID.exec(grant.id)?.[1] ?? null,
      active: Date.parse(grant.validFrom) <= now && (grant.validTo === undefined || now < Date.parse(grant.validTo)),
    }));
}
