/**
 * `npm run --silent token -- [client-id]`: prints an access token for a DEVELOPMENT agency-system client from the
 * identity provider `npm start` runs (or KEYCLOAK_URL), for curl or the Authorization header in GraphiQL.
 * Default client: congan-h41-dancu (the provincial Police's population system). The clients are listed in
 * keycloak/dev-credentials/README.md.
 */
import { developmentClientToken } from '../keycloak/src/dev-clients.ts';
import { developmentClientFromArgs } from './dev-client.ts';

const clientId = process.argv[2] ?? 'congan-h41-dancu';
const { issuer, realm } = await developmentClientFromArgs(clientId);
try {
  process.stdout.write(`${await developmentClientToken(issuer, clientId, realm)}\n`);
} catch (error) {
  console.error(`${(error as Error).message}\nIs the platform running (npm start)? Identity provider: ${issuer}`);
  process.exit(1);
}
