/** `@lgsp/credentials`: agency systems' credentials as Keycloak clients, managed through the Admin REST API. */
export * from './types.ts';
export { acceptJwksUrl, acceptPublicKey, jwtCredentialAttributes, JwtCredentialAttribute, type AcceptedPublicKey } from './keys.ts';
export {
  clientRepresentation,
  createKeycloakCredentialIssuer,
  credentialRecordOf,
  CredentialClaim,
  GATEWAY_CLIENT_ID,
  keycloakAdminClient,
  type KeycloakCredentialIssuerOptions,
} from './keycloak-issuer.ts';
export {
  createKeycloakEventReader,
  keycloakEventReaderFromConfig,
  type KeycloakEventQuery,
  type KeycloakEventReader,
  type KeycloakLoginEvent,
} from './keycloak-events.ts';
export { applicationClientsFromConfig, credentialIssuerFromConfig, credentialsConfigSchema, type CredentialsConfig } from './config.ts';
export {
  APPLICATION_AGENCY_ATTRIBUTE,
  applicationClientRepresentation,
  createKeycloakApplicationClients,
  type ApplicationClientRecord,
  type ApplicationClients,
  type ApplicationClientSpec,
} from './application-clients.ts';
