/**
 * What `npm run token` and `npm run subscribe` share: the identity provider `npm start` runs (or KEYCLOAK_URL), and
 * the DEVELOPMENT client named on the command line, checked against the realm (exit 2 with the list when unknown).
 */
import { assertionClients } from '../keycloak/src/dev-clients.ts';
import { loadRealmExport } from '../keycloak/src/realm.ts';

export async function developmentClientFromArgs(clientId: string): Promise<{ issuer: string; realm: Awaited<ReturnType<typeof loadRealmExport>> }> {
  const issuer = process.env.KEYCLOAK_URL ?? `http://localhost:${process.env.DEV_ISSUER_PORT ?? '8080'}/realms/lgsp`;
  const realm = await loadRealmExport();
  if (!assertionClients(realm).some((c) => c.clientId === clientId)) {
    console.error(`unknown client ${clientId}; development clients:\n${assertionClients(realm).map((c) => `  ${c.clientId} (${c.kind})`).join('\n')}`);
    process.exit(2);
  }
  return { issuer, realm };
}
