/**
 * Prints a client assertion (RFC 7523) for a development client of the realm, the way an agency system builds
 * one: HS256 with the client secret for `client-secret-jwt` clients (the regulations' access key + secret key),
 * RS256 with the client's private key for `client-jwt` clients (the RSA option).
 *
 *   npx tsx keycloak/scripts/client-assertion.ts <client-id> [token-endpoint]
 *
 * token-endpoint defaults to http://localhost:8080/realms/lgsp/protocol/openid-connect/token. The assertion is
 * valid for 60 s and only once (its jti is remembered). DEVELOPMENT credentials only: they are in the realm export
 * and keycloak/dev-credentials/, never in a production configuration.
 */
import { assertionClients, developmentClientAssertion } from '../src/dev-clients.ts';
import { loadRealmExport } from '../src/realm.ts';

const [clientId, tokenEndpoint = 'http://localhost:8080/realms/lgsp/protocol/openid-connect/token'] = process.argv.slice(2);
const realm = await loadRealmExport();
const usable = assertionClients(realm);
if (clientId === undefined || !usable.some((c) => c.clientId === clientId)) {
  console.error(
    `usage: npx tsx keycloak/scripts/client-assertion.ts <client-id> [token-endpoint]\nclients:\n${usable.map((c) => `  ${c.clientId} (${c.kind})`).join('\n')}`,
  );
  process.exit(2);
}
process.stdout.write(`${await developmentClientAssertion(realm, clientId, tokenEndpoint)}\n`);
