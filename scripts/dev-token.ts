/**
 * `npm run --silent token -- [client-id]`: prints an access token for a DEVELOPMENT agency-system client from the
 * identity provider `npm start` runs (or KEYCLOAK_URL), for curl or the Sandbox's Authorization header.
 * Default client: congan-h41-dancu (the provincial Police's population system). The clients are listed in
 * keycloak/dev-credentials/README.md.
 */
import { assertionClients, developmentClientToken } from '../keycloak/src/dev-clients.ts';
import { loadRealmExport } from '../keycloak/src/realm.ts';

const clientId = process.argv[2] ?? 'congan-h41-dancu';
const issuer = process.env.KEYCLOAK_URL ?? `http://localhost:${process.env.DEV_ISSUER_PORT ?? '8080'}/realms/lgsp`;
const realm = await loadRealmExport();
if (!assertionClients(realm).some((c) => c.clientId === clientId)) {
  console.error(`unknown client ${clientId}; development clients:\n${assertionClients(realm).map((c) => `  ${c.clientId} (${c.kind})`).join('\n')}`);
  process.exit(2);
}
try {
  process.stdout.write(`${await developmentClientToken(issuer, clientId, realm)}\n`);
} catch (error) {
  console.error(`${(error as Error).message}\nIs the platform running (npm start)? Identity provider: ${issuer}`);
  process.exit(1);
}
