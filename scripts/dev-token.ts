/**
 * `npm run --silent token -- [client-id]`: prints an access token for a DEVELOPMENT agency-system client from the
 * identity provider `npm start` runs — on whatever ports it was given (see dev-client.ts: DEV_ISSUER_PORT or
 * KEYCLOAK_URL, else the running `npm start` of this checkout, else port 8080) — for curl or the Authorization
 * header in GraphiQL. Default client: congan-h41-dancu (the provincial Police's population system). The clients
 * are listed in keycloak/dev-credentials/README.md.
 */
import { developmentClientToken } from '../keycloak/src/dev-clients.ts';
import { developmentClientFromArgs, tokenOrExit } from './dev-client.ts';

const clientId = process.argv[2] ?? 'congan-h41-dancu';
const { issuer, realm } = await developmentClientFromArgs(clientId);
process.stdout.write(`${await tokenOrExit(() => developmentClientToken(issuer.url, clientId, realm), issuer)}\n`);
