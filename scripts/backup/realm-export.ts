/**
 * The realm's configuration for the archive, through Keycloak's Admin REST API, as the admin console's "Partial
 * export" does: `POST /admin/realms/{realm}/partial-export?exportClients=true&exportGroupsAndRoles=true` (Keycloak 26,
 * RealmAdminResource#partialExport; the development issuer implements it in keycloak/src/partial-export.ts). The caller
 * is a confidential client (`lgsp-backup`) with client credentials and the realm-management roles view-realm,
 * view-clients and view-users.
 *
 * What it holds: realm settings, roles, groups, clients with their protocol mappers and the clients' service-account
 * users with their role mappings. What it does not: Keycloak masks every secret (`**********`: client secrets, a
 * client-secret-jwt credential's secret must be issued again after an import) and leaves out people's accounts and
 * their credentials. Those are in Keycloak's own database; in production back it up with PostgreSQL's `pg_dump` or
 * `kc.sh export --realm lgsp --users realm_file` on a stopped Keycloak (NOTES-backup.md).
 */
import { readFile } from 'node:fs/promises';

export interface RealmExportSource {
  /** Keycloak's origin (KEYCLOAK_ADMIN_URL), e.g. http://keycloak:8080. */
  adminUrl: string;
  realm: string;
  clientId: string;
  clientSecretFile: string;
  timeoutMs: number;
}

export const REALM_EXPORT_NOTE =
  "Keycloak's partial export: realm settings, roles, groups, clients and their service accounts, secrets masked; " +
  "people's accounts and credentials are not in it (back up Keycloak's database, or `kc.sh export --users realm_file`).";

async function answer(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${what}: the answer is not JSON`);
  }
}

/** The realm's partial export as Keycloak answers it (a RealmRepresentation). */
export async function fetchRealmExport(source: RealmExportSource): Promise<Record<string, unknown>> {
  let secret: string;
  try {
    secret = (await readFile(source.clientSecretFile, 'utf8')).trim();
  } catch (error) {
    throw new Error(`BACKUP_KEYCLOAK_CLIENT_SECRET_FILE: cannot read ${source.clientSecretFile} (${(error as Error).message})`);
  }
  const origin = source.adminUrl.replace(/\/+$/, '');
  const realm = encodeURIComponent(source.realm);
  const signal = () => AbortSignal.timeout(source.timeoutMs);
  const token = (await answer(
    await fetch(`${origin}/realms/${realm}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: source.clientId, client_secret: secret }),
      signal: signal(),
    }),
    `token for ${source.clientId} at ${origin}`,
  )) as { access_token?: unknown };
  if (typeof token.access_token !== 'string') throw new Error(`token for ${source.clientId} at ${origin}: no access_token in the answer`);
  const exported = await answer(
    await fetch(`${origin}/admin/realms/${realm}/partial-export?exportClients=true&exportGroupsAndRoles=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json' },
      signal: signal(),
    }),
    `partial export of realm ${source.realm}`,
  );
  if (typeof exported !== 'object' || exported === null || (exported as { realm?: unknown }).realm !== source.realm) {
    throw new Error(`partial export of realm ${source.realm}: the answer is not that realm's representation`);
  }
  return exported as Record<string, unknown>;
}
