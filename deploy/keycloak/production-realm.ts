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
 * - URLs of `localhost` replaced by `https://${LGSP_PUBLIC_HOST}`; the realm's `lgsp.development-only` mark off.
 *
 * Run by the one-shot `keycloak-realm` service before Keycloak starts (its output is the only file of Keycloak's
 * import folder); checked by test/repo/deploy-realm.test.ts.
 *
 *   node --import tsx deploy/keycloak/production-realm.ts keycloak/realm-export.json /import/lgsp.json
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

/** The parts of Keycloak's realm representation this script reads or changes; the rest passes through. */
export interface RealmRepresentation {
  realm: string;
  users?: UserRepresentation[];
  clients?: ClientRepresentation[];
  attributes?: Record<string, string>;
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

export function productionRealm(source: RealmRepresentation): RealmRepresentation {
  const realm = structuredClone(source);
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

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  if (input === undefined || output === undefined) {
    console.error('usage: production-realm.ts <realm-export.json> <output.json>');
    process.exit(2);
  }
  const realm = productionRealm(JSON.parse(await readFile(input, 'utf8')) as RealmRepresentation);
  // No secret inside (placeholders only): readable by Keycloak's user.
  await writeFile(`${output}.tmp`, JSON.stringify(realm, null, 2), { mode: 0o644 });
  await rename(`${output}.tmp`, output);
  console.log(
    JSON.stringify({
      level: 'info',
      msg: `production realm ${realm.realm} written to ${output}`,
      clients: realm.clients!.map((c) => c.clientId),
      users: realm.users!.map((u) => u.username),
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(JSON.stringify({ level: 'fatal', msg: `production realm: ${(error as Error).message}` }));
    process.exit(1);
  });
}
