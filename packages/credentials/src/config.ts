/**
 * The credential issuer's configuration, read once from the environment by the service that issues credentials
 * (the registry). The admin client's secret is read from a file (a mounted secret), never from a variable.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { env, type Logger } from '@lgsp/kit';
import { createKeycloakCredentialIssuer } from './keycloak-issuer.ts';
import type { CredentialIssuer } from './types.ts';
import { createKeycloakApplicationClients, type ApplicationClients } from './application-clients.ts';

/** The environment variables of the credential issuer (merge its shape into the issuing service's configSchema). */
export const credentialsConfigSchema = z.object({
  /** Keycloak's base URL (no /realms/… path), e.g. http://keycloak:8080; the development issuer's origin locally. */
  KEYCLOAK_ADMIN_URL: env.url().refine((u) => new URL(u).pathname.replace(/\/+$/, '') === '', 'must be an origin such as http://keycloak:8080 (no path)'),
  /** The realm whose clients are the credentials. */
  KEYCLOAK_REALM: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be a realm name such as lgsp')
    .default('lgsp'),
  /** The confidential client with realm-management manage-clients, view-clients, manage-users, view-users, query-users. */
  KEYCLOAK_ADMIN_CLIENT_ID: z.string().min(1).default('lgsp-registry'),
  /** A file holding that client's secret (one line). */
  KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: z.string().min(1, 'must name the file holding the admin client secret'),
  /** Per Admin REST API call, in milliseconds. */
  KEYCLOAK_ADMIN_TIMEOUT_MS: env.positiveInt(10_000),
});

/** The credential issuer's configuration, validated. */
export type CredentialsConfig = z.infer<typeof credentialsConfigSchema>;

/** The Keycloak credential issuer the configuration describes (reads the secret file). */
export async function credentialIssuerFromConfig(config: CredentialsConfig, logger?: Logger): Promise<CredentialIssuer> {
  let secret: string;
  try {
    secret = (await readFile(config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE, 'utf8')).trim();
  } catch (error) {
    throw new Error(`KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: cannot read ${config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE} (${(error as Error).message})`);
  }
  if (secret === '') throw new Error(`KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: ${config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE} is empty`);
  return createKeycloakCredentialIssuer({
    adminUrl: config.KEYCLOAK_ADMIN_URL,
    realm: config.KEYCLOAK_REALM,
    clientId: config.KEYCLOAK_ADMIN_CLIENT_ID,
    clientSecret: secret,
    timeoutMs: config.KEYCLOAK_ADMIN_TIMEOUT_MS,
    ...(logger ? { logger } : {}),
  });
}

/** Applications' single sign-on clients with the credential issuer's configuration (the same admin client and secret file). */
export async function applicationClientsFromConfig(config: CredentialsConfig, logger?: Logger): Promise<ApplicationClients> {
  let secret: string;
  try {
    secret = (await readFile(config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE, 'utf8')).trim();
  } catch (error) {
    throw new Error(`KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: cannot read ${config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE} (${(error as Error).message})`);
  }
  if (secret === '') throw new Error(`KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: ${config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE} is empty`);
  return createKeycloakApplicationClients({
    adminUrl: config.KEYCLOAK_ADMIN_URL,
    realm: config.KEYCLOAK_REALM,
    clientId: config.KEYCLOAK_ADMIN_CLIENT_ID,
    clientSecret: secret,
    timeoutMs: config.KEYCLOAK_ADMIN_TIMEOUT_MS,
    ...(logger ? { logger } : {}),
  });
}
