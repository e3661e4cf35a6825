/**
 * The realm Keycloak imports in docker-compose.yml: keycloak/realm-export.json — the realm of `npm start` and the
 * tests — made fit for production, so that no development account, password or secret reaches a deployment:
 *
 * - users: none but the service accounts of the clients kept (people are created by the operators; docs/runbook.md);
 * - clients: the platform's own (`lgsp-…`) only; the development agencies' systems are dropped (real systems get
 *   their clients through the registry's onboarding);
 * - client secrets: Keycloak placeholders resolved from its environment at import (`${LGSP_REGISTRY_CLIENT_SECRET}`,
 *   `${LGSP_BACKUP_CLIENT_SECRET}`, which deploy/keycloak/start.sh reads from their secret files); a kept client
 *   with a secret this script does not know how to replace stops it;
 * - `lgsp-backup` (the realm export of `npm run backup`) added when the realm has none;
 * - identity providers (VDXP, the national e-ID: citizens and businesses): with `VDXP_ISSUER_URL` set where this runs,
 *   enabled, their issuer, endpoints, client id and secret as placeholders (`${VDXP_ISSUER_URL}/token`,
 *   `${VDXP_CLIENT_ID}`, `${VDXP_CLIENT_SECRET}`) that Keycloak resolves from its environment at import; without it,
 *   imported disabled and hidden, pointing at `https://<alias>.invalid`, with no client and no secret (a province may
 *   go live before its VDXP registration; docs/operations.md "Deployment");
 * - URLs of `localhost` replaced by `https://${LGSP_PUBLIC_HOST}`; the realm's `lgsp.development-only` mark off.
 *
 * Run by the one-shot `keycloak-realm` service before Keycloak starts (its output is the only file of Keycloak's
 * import folder); checked by test/repo/deploy-realm.test.ts.
 *
 *   node --import tsx deploy/keycloak/production-realm.ts keycloak/realm-export.json /import/lgsp.json
 *
 * Keycloak resolves `${NAME}` placeholders anywhere in an imported realm file from its environment (an unset name is
 * left as written), and imports only when the realm does not exist yet: later changes are made in Keycloak itself.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

/** The parts of Keycloak's realm representation this script reads or changes; the rest passes through. */
export interface RealmRepresentation {
  realm: string;
  users?: UserRepresentation[];
  clients?: ClientRepresentation[];
  attributes?: Record<string, string>;
  identityProviders?: IdentityProviderRepresentation[];
  [key: string]: unknown;
}
interface IdentityProviderRepresentation {
  alias: string;
  enabled?: boolean;
  hideOnLogin?: boolean;
  config: Record<string, string>;
  [key: string]: unknown;
}
interface UserRepresentation {
  username: string;
  serviceAccountClientId?: string;
  [key: string]: unknown;
}
interface ClientRepresentation {
  clientId: string;
  secret?: string;
  description?: string;
  [key: string]: unknown;
}

/** Keycloak placeholders (resolved from Keycloak's environment at import) of the platform clients' secrets. */
export const CLIENT_SECRET_PLACEHOLDERS: Record<string, string> = {
  'lgsp-registry': 'LGSP_REGISTRY_CLIENT_SECRET',
  'lgsp-backup': 'LGSP_BACKUP_CLIENT_SECRET',
};
export const PUBLIC_HOST_PLACEHOLDER = '${LGSP_PUBLIC_HOST}';

/**
 * The environment variables of each identity provider's production settings: its issuer identifier (every URL of
 * the provider's config under the development issuer is rebased on it), and the client VDXP issued to the province
 * at registration. The issuer decides whether the provider is enabled; deploy/keycloak/start.sh exports the three.
 */
export const IDENTITY_PROVIDER_PLACEHOLDERS: Record<string, { issuer: string; clientId: string; clientSecret: string }> = {
  vdxp: { issuer: 'VDXP_ISSUER_URL', clientId: 'VDXP_CLIENT_ID', clientSecret: 'VDXP_CLIENT_SECRET' },
};

/** The settings productionRealm reads from its environment (only the identity providers' issuers and client ids). */
export type ProductionEnvironment = Record<string, string | undefined>;

/** The client `npm run backup` exports the realm with: confidential, service account, read-only realm roles. */
const BACKUP_CLIENT: ClientRepresentation = {
  clientId: 'lgsp-backup',
  name: 'LGSP backup',
  description: "The backup's service account: reads the realm for `npm run backup` (realm-management view-realm, view-clients, view-users).",
  enabled: true,
  clientAuthenticatorType: 'client-secret',
  redirectUris: [],
  webOrigins: [],
  standardFlowEnabled: false,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: false,
  serviceAccountsEnabled: true,
  publicClient: false,
  protocol: 'openid-connect',
  fullScopeAllowed: false,
};
const BACKUP_SERVICE_ACCOUNT: UserRepresentation = {
  username: 'service-account-lgsp-backup',
  enabled: true,
  serviceAccountClientId: 'lgsp-backup',
  realmRoles: [],
  clientRoles: { 'realm-management': ['view-realm', 'view-clients', 'view-users'] },
};

/** Words that mark development material; none may be left in the result. */
const DEVELOPMENT_MARKS = /dev-only|DEVELOPMENT ONLY/;

export function productionRealm(source: RealmRepresentation, env: ProductionEnvironment = {}): RealmRepresentation {
  const realm = structuredClone(source);
  for (const provider of realm.identityProviders ?? []) productionIdentityProvider(provider, env);
  const clients = (realm.clients ?? []).filter((client) => client.clientId.startsWith('lgsp-'));
  if (!clients.some((client) => client.clientId === BACKUP_CLIENT.clientId)) clients.push(structuredClone(BACKUP_CLIENT));
  for (const client of clients) {
    if (client.description !== undefined) client.description = client.description.replace(/\s*DEVELOPMENT ONLY.*$/s, '');
    const confidential = client.publicClient !== true && client.bearerOnly !== true;
    const placeholder = CLIENT_SECRET_PLACEHOLDERS[client.clientId];
    if (placeholder !== undefined) {
      client.secret = `\${${placeholder}}`;
      client.clientAuthenticatorType = 'client-secret';
    } else if (client.secret !== undefined || (confidential && client.serviceAccountsEnabled === true)) {
      throw new Error(
        `client ${client.clientId}: a confidential client whose secret has no production placeholder (add it to CLIENT_SECRET_PLACEHOLDERS and deploy/keycloak/start.sh)`,
      );
    }
  }
  const kept = new Set(clients.map((client) => client.clientId));
  const users = (realm.users ?? []).filter((user) => user.serviceAccountClientId !== undefined && kept.has(user.serviceAccountClientId));
  if (!users.some((user) => user.serviceAccountClientId === BACKUP_CLIENT.clientId)) users.push(structuredClone(BACKUP_SERVICE_ACCOUNT));
  realm.clients = clients;
  realm.users = users;
  realm.attributes = { ...realm.attributes, 'lgsp.development-only': 'false' };
  const text = JSON.stringify(realm).replace(/http:\/\/localhost(:\d+)?/g, `https://${PUBLIC_HOST_PLACEHOLDER}`);
  const mark = DEVELOPMENT_MARKS.exec(text);
  if (mark !== null)
    throw new Error(`the production realm still carries development material ("${text.slice(Math.max(0, mark.index - 60), mark.index + 60)}")`);
  return JSON.parse(text) as RealmRepresentation;
}

/**
 * An identity provider's development config (the simulator's URLs, its broker client and development secret) made
 * into the production one, before the localhost rewrite (which would point VDXP's URLs at the LGSP host).
 */
function productionIdentityProvider(provider: IdentityProviderRepresentation, env: ProductionEnvironment): void {
  const names = IDENTITY_PROVIDER_PLACEHOLDERS[provider.alias];
  if (names === undefined) {
    throw new Error(
      `identity provider ${provider.alias}: no production placeholders (add it to IDENTITY_PROVIDER_PLACEHOLDERS, deploy/keycloak/start.sh and docker-compose.yml)`,
    );
  }
  const from = provider.config.issuer;
  if (from === undefined || from === '') throw new Error(`identity provider ${provider.alias}: config.issuer is not set in the realm export`);
  const issuer = env[names.issuer]?.trim() ?? '';
  const rebase = (base: string) => {
    for (const [key, value] of Object.entries(provider.config)) {
      if (value === from || value.startsWith(`${from}/`)) provider.config[key] = `${base}${value.slice(from.length)}`;
    }
  };
  if (issuer === '') {
    // Not registered with VDXP yet: imported switched off and out of the login page, with an address that can never
    // resolve (RFC 6761 `.invalid`) and neither client nor secret. Enabled later in Keycloak's admin console
    // (docs/operations.md "Deployment"): the realm is imported only once.
    rebase(`https://${provider.alias}.invalid`);
    provider.enabled = false;
    provider.hideOnLogin = true;
    provider.config.clientId = '';
    delete provider.config.clientSecret;
    return;
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`${names.issuer} is not a URL: ${JSON.stringify(issuer)}`);
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '' || issuer.endsWith('/')) {
    throw new Error(`${names.issuer} must be VDXP's issuer identifier, an https URL without query, fragment or final slash: ${JSON.stringify(issuer)}`);
  }
  if ((env[names.clientId]?.trim() ?? '') === '') {
    throw new Error(`${names.issuer} is set but ${names.clientId} is not: set the client id VDXP issued to the province`);
  }
  rebase(`\${${names.issuer}}`);
  provider.enabled = true;
  provider.config.clientId = `\${${names.clientId}}`;
  provider.config.clientSecret = `\${${names.clientSecret}}`;
}

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  if (input === undefined || output === undefined) {
    console.error('usage: production-realm.ts <realm-export.json> <output.json>');
    process.exit(2);
  }
  const realm = productionRealm(JSON.parse(await readFile(input, 'utf8')) as RealmRepresentation, process.env);
  // No secret inside (placeholders only): readable by Keycloak's user.
  await writeFile(`${output}.tmp`, JSON.stringify(realm, null, 2), { mode: 0o644 });
  await rename(`${output}.tmp`, output);
  for (const provider of realm.identityProviders ?? []) {
    if (provider.enabled === false) {
      const variable = IDENTITY_PROVIDER_PLACEHOLDERS[provider.alias]!.issuer;
      console.log(
        JSON.stringify({
          level: 'warn',
          msg: `identity provider ${provider.alias} imported disabled: ${variable} is not set (citizens cannot sign in until it is configured)`,
        }),
      );
    }
  }
  console.log(
    JSON.stringify({
      level: 'info',
      msg: `production realm ${realm.realm} written to ${output}`,
      clients: realm.clients!.map((c) => c.clientId),
      users: realm.users!.map((u) => u.username),
      identityProviders: (realm.identityProviders ?? []).map((p) => ({ alias: p.alias, enabled: p.enabled })),
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(JSON.stringify({ level: 'fatal', msg: `production realm: ${(error as Error).message}` }));
    process.exit(1);
  });
}
