/**
 * The CredentialIssuer over Keycloak's Admin REST API, through `@keycloak/keycloak-admin-client`. The same code runs
 * against Keycloak (compose, deployment) and against the development issuer (`npm start`, tests), which implements
 * the calls used here.
 *
 * Calls, in order, for `create` (each a Keycloak Admin REST API path under /admin/realms/{realm}):
 *   GET clients?clientId=…                      (taken? → ALREADY_EXISTS)
 *   POST clients                                (the client, its mappers; Keycloak creates the service account)
 *   GET clients/{id}/service-account-user
 *   GET users/{user}/role-mappings/realm/available, POST users/{user}/role-mappings/realm        (agency-system)
 *   GET clients?clientId=lgsp-gateway
 *   GET users/{user}/role-mappings/clients/{gw}/available, POST users/{user}/role-mappings/clients/{gw} (data-consumer)
 *   GET clients/{id}/client-secret              (client-secret-jwt only)
 * A test credential first reads the portal's client (GET clients?clientId=lgsp-portal): its browser origins become the
 * test client's web origins, so the portal's try-out may get a token for it from the browser (CORS at the token
 * endpoint); a production credential has none.
 * Any failure after the POST deletes the client again (which deletes its service account and role mappings).
 */
import KeycloakAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { createLogger, ErrorCode, LgspError, Role, type Logger } from '@lgsp/kit';
import { jwtCredentialAttributes } from './keys.ts';
import type { ClientSpec, CredentialIssuer, CredentialMethod, CredentialRecord, Environment } from './types.ts';

/** The claims every credential's tokens carry (hard-coded claim mappers), read by the gateway. */
export const CredentialClaim = {
  agencyCode: 'agency_code',
  systemId: 'system_id',
  /** `"test"` on test credentials; absent on production ones (absent = production, kit's `environmentOf`). */
  environment: 'lgsp_environment',
} as const;

/** The portal's public client: the origins its try-out runs on (a test credential's web origins). */
export const PORTAL_CLIENT_ID = 'lgsp-portal';

/**
 * The origins a browser client calls from, as Keycloak reads its webOrigins: each origin given, and for "+" the
 * origins of its absolute redirect URIs and of its root URL (relative redirect URIs are under the root URL).
 */
export function browserOrigins(client: ClientRepresentation | undefined): string[] {
  const origins = new Set<string>();
  const add = (url: string | undefined) => {
    if (url === undefined || url === '') return;
    try {
      const origin = new URL(url.replace(/\*$/, '')).origin;
      if (origin !== 'null') origins.add(origin);
    } catch {
      // a relative URI: under the root URL, added below
    }
  };
  for (const origin of client?.webOrigins ?? []) {
    if (origin === '+') {
      for (const uri of client?.redirectUris ?? []) add(uri);
      add(client?.rootUrl);
    } else if (origin !== '*') add(origin);
  }
  return [...origins];
}

/** The gateway's client: the audience of every token and the owner of the `data-consumer` role. */
export const GATEWAY_CLIENT_ID = 'lgsp-gateway';

/** Where Keycloak is and how the issuer authenticates to its Admin REST API (see config.ts for the variables). */
export interface KeycloakCredentialIssuerOptions {
  /** Keycloak's base URL, e.g. http://keycloak:8080 (the development issuer's origin locally). */
  adminUrl: string;
  /** The realm, `lgsp`. */
  realm: string;
  /** The confidential client with realm-management roles (`lgsp-registry`). */
  clientId: string;
  clientSecret: string;
  /** Per Admin REST API call; default 10 000 ms. */
  timeoutMs?: number;
  /** Lifetime of the tokens the credentials get (Keycloak's `access.token.lifespan`); default 300 s. */
  accessTokenLifespanSeconds?: number;
  logger?: Logger;
}

const AGENCY_CODE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
/** Keycloak accepts more, but a client id is also an access key people type and read: keep it plain. */
const CLIENT_ID = /^[a-z0-9][a-z0-9._-]{2,99}$/;
const SYSTEM_ID = /^[^\s]{1,200}$/;

const defaultClientScopes = ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email'];

function hardcodedClaim(name: string, value: string): Record<string, unknown> {
  return {
    name,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-hardcoded-claim-mapper',
    consentRequired: false,
    config: {
      'claim.name': name,
      'claim.value': value,
      'jsonType.label': 'String',
      'access.token.claim': 'true',
      'id.token.claim': 'false',
      'userinfo.token.claim': 'false',
      'introspection.token.claim': 'true',
      'lightweight.claim': 'false',
    },
  };
}

type ClientRepresentation = NonNullable<Awaited<ReturnType<KeycloakAdminClient['clients']['findOne']>>>;

/** The Keycloak client representation of a credential (the realm export's agency system clients have the same shape). */
export function clientRepresentation(
  spec: ClientSpec,
  keyAttributes: Record<string, string>,
  accessTokenLifespanSeconds = 300,
  webOrigins: string[] = [],
): ClientRepresentation {
  const mappers = [hardcodedClaim(CredentialClaim.agencyCode, spec.agencyCode), hardcodedClaim(CredentialClaim.systemId, spec.systemId)];
  if (spec.environment === 'test') mappers.push(hardcodedClaim(CredentialClaim.environment, 'test'));
  mappers.push({
    name: `audience ${GATEWAY_CLIENT_ID}`,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-audience-mapper',
    consentRequired: false,
    config: {
      'included.client.audience': GATEWAY_CLIENT_ID,
      'access.token.claim': 'true',
      'id.token.claim': 'false',
      'introspection.token.claim': 'true',
      'lightweight.claim': 'false',
    },
  });
  return {
    clientId: spec.clientId,
    name: spec.name ?? spec.clientId,
    description: `Agency system ${spec.systemId} of ${spec.agencyCode}, ${spec.environment} environment; issued by the LGSP registry.`,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    bearerOnly: false,
    consentRequired: false,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: true,
    fullScopeAllowed: true,
    clientAuthenticatorType: spec.method,
    redirectUris: [],
    // Test credentials only: the portal's origins (its try-out gets tokens from the browser). Production: none.
    webOrigins: spec.environment === 'test' ? webOrigins : [],
    attributes: {
      'access.token.lifespan': String(accessTokenLifespanSeconds),
      'client_credentials.use_refresh_token': 'false',
      ...(spec.method === 'client-secret-jwt' ? { 'token.endpoint.auth.signing.alg': 'HS256' } : keyAttributes),
    },
    protocolMappers: mappers,
    defaultClientScopes,
    optionalClientScopes: [],
  } as ClientRepresentation;
}

function validateSpec(spec: ClientSpec): Record<string, string> {
  if (!CLIENT_ID.test(spec.clientId)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, 'clientId: 3 to 100 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
  }
  if (!AGENCY_CODE.test(spec.agencyCode))
    throw new LgspError(ErrorCode.INVALID_AGENCY_CODE, `agencyCode ${spec.agencyCode}: must look like 000.00.02.H41 (QCVN 102:2016)`);
  if (!SYSTEM_ID.test(spec.systemId)) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'systemId: 1 to 200 characters, no white space');
  if (spec.environment !== 'production' && spec.environment !== 'test') throw new LgspError(ErrorCode.BAD_USER_INPUT, 'environment: production or test');
  if (spec.method === 'client-secret-jwt') {
    if (spec.publicKeyPem !== undefined || spec.jwksUrl !== undefined) {
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'a client-secret-jwt credential takes no public key or JWKS URL (Keycloak generates the secret)');
    }
    return {};
  }
  if (spec.method === 'client-jwt') return jwtCredentialAttributes(spec);
  throw new LgspError(ErrorCode.BAD_USER_INPUT, 'method: client-secret-jwt or client-jwt');
}

/** The HTTP status of a failed Admin REST API call, or undefined when Keycloak did not answer (network, timeout). */
function statusOf(error: unknown): number | undefined {
  return error instanceof NetworkError ? error.response.status : undefined;
}

function claimValue(client: ClientRepresentation, claim: string): string | undefined {
  const mapper = client.protocolMappers?.find((m) => m.protocolMapper === 'oidc-hardcoded-claim-mapper' && m.config?.['claim.name'] === claim);
  return mapper?.config?.['claim.value'];
}

/** A credential as recorded in its Keycloak client (the claim mappers are the truth: they are what tokens carry). */
export function credentialRecordOf(client: ClientRepresentation): CredentialRecord {
  return {
    clientId: client.clientId ?? '',
    enabled: client.enabled ?? true,
    method: (client.clientAuthenticatorType === 'client-jwt' ? 'client-jwt' : 'client-secret-jwt') as CredentialMethod,
    environment: (claimValue(client, CredentialClaim.environment) === 'test' ? 'test' : 'production') as Environment,
    agencyCode: claimValue(client, CredentialClaim.agencyCode) ?? '',
    systemId: claimValue(client, CredentialClaim.systemId) ?? '',
  };
}

/**
 * An admin client of `options.realm` that authenticates as `options.clientId` with client credentials, each call
 * bounded by `options.timeoutMs` (the credential issuer and the event reader share it).
 */
export function keycloakAdminClient(
  options: Pick<KeycloakCredentialIssuerOptions, 'adminUrl' | 'realm' | 'clientId' | 'clientSecret' | 'timeoutMs'>,
): KeycloakAdminClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // The client copies its request options into every request (token included): a getter gives each its own deadline.
  const requestOptions = Object.defineProperty({}, 'signal', { enumerable: true, get: () => AbortSignal.timeout(timeoutMs) }) as RequestInit;
  const admin = new KeycloakAdminClient({ baseUrl: options.adminUrl.replace(/\/+$/, ''), realmName: options.realm, requestOptions });

  // Client credentials give no refresh token (Keycloak's default for service accounts): a new token is fetched
  // when the one held is about to expire.
  let tokenExpiresAt = 0;
  let pendingToken: Promise<string> | undefined;
  admin.registerTokenProvider({
    getAccessToken: async () => {
      if (admin.accessToken !== undefined && Date.now() < tokenExpiresAt) return admin.accessToken;
      pendingToken ??= (async () => {
        try {
          await admin.auth({ grantType: 'client_credentials', clientId: options.clientId, clientSecret: options.clientSecret });
          const payload = JSON.parse(Buffer.from((admin.accessToken ?? '').split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
          tokenExpiresAt = ((payload.exp ?? 0) - 30) * 1000;
          return admin.accessToken ?? '';
        } finally {
          pendingToken = undefined;
        }
      })();
      return pendingToken;
    },
  });
  return admin;
}

/**
 * How one Admin REST API step is run: a failure of Keycloak becomes IDENTITY_PROVIDER_UNAVAILABLE ("nothing was
 * changed"), logged at error level for 401/403 (this platform's configuration is wrong: secret, roles — an operator
 * must act) and warn otherwise; a caller's own mistake (LgspError) is passed on.
 */
export function adminCalls(logger: Logger): {
  call<T>(what: string, step: () => Promise<T>): Promise<T>;
  unavailable(what: string, error: unknown): LgspError;
} {
  function unavailable(what: string, error: unknown): LgspError {
    if (error instanceof LgspError) return error;
    const status = statusOf(error);
    const level = status === 401 || status === 403 ? 'error' : 'warn';
    logger[level]({ event: 'keycloak.admin.failed', step: what, status, error: (error as Error).message }, 'Keycloak Admin REST API call failed');
    return new LgspError(
      ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE,
      `identity provider failed (${what}${status === undefined ? '' : `: HTTP ${status}`}); nothing was changed`,
    );
  }
  return {
    unavailable,
    async call(what, step) {
      try {
        return await step();
      } catch (error) {
        throw unavailable(what, error);
      }
    },
  };
}

/** A CredentialIssuer that manages clients of `options.realm` through Keycloak's Admin REST API. */
export function createKeycloakCredentialIssuer(options: KeycloakCredentialIssuerOptions): CredentialIssuer {
  const logger = options.logger ?? createLogger('credentials');
  const admin = keycloakAdminClient(options);

  const { call, unavailable } = adminCalls(logger);

  async function findClient(clientId: string): Promise<ClientRepresentation | undefined> {
    const found = await call('find client', () => admin.clients.find({ clientId }));
    return found.find((c) => c.clientId === clientId);
  }
  async function requireClient(clientId: string): Promise<ClientRepresentation & { id: string }> {
    const client = await findClient(clientId);
    if (client?.id === undefined) throw new LgspError(ErrorCode.NOT_FOUND, `no credential ${clientId}`);
    return client as ClientRepresentation & { id: string };
  }

  async function grantServiceAccountRoles(id: string): Promise<void> {
    const user = await call('service-account user', () => admin.clients.getServiceAccountUser({ id }));
    if (user.id === undefined)
      throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'identity provider: the client has no service account; nothing was changed');
    const userId = user.id;
    const realmRoles = await call('available realm roles', () => admin.users.listAvailableRealmRoleMappings({ id: userId }));
    const agencySystem = realmRoles.find((r) => r.name === Role.agencySystem);
    if (agencySystem?.id === undefined)
      throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, `identity provider: realm role ${Role.agencySystem} is missing`);
    await call('realm role mapping', () =>
      admin.users.addRealmRoleMappings({ id: userId, roles: [{ id: agencySystem.id ?? '', name: agencySystem.name ?? '' }] }),
    );
    const gateway = await findClient(GATEWAY_CLIENT_ID);
    if (gateway?.id === undefined) throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, `identity provider: client ${GATEWAY_CLIENT_ID} is missing`);
    const gatewayId = gateway.id;
    const clientRoles = await call('available client roles', () => admin.users.listAvailableClientRoleMappings({ id: userId, clientUniqueId: gatewayId }));
    const consumer = clientRoles.find((r) => r.name === Role.dataConsumer);
    if (consumer?.id === undefined)
      throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, `identity provider: client role ${Role.dataConsumer} is missing`);
    await call('client role mapping', () =>
      admin.users.addClientRoleMappings({ id: userId, clientUniqueId: gatewayId, roles: [{ id: consumer.id ?? '', name: consumer.name ?? '' }] }),
    );
  }

  return {
    async create(spec) {
      const keyAttributes = validateSpec(spec);
      if (await findClient(spec.clientId)) throw new LgspError(ErrorCode.ALREADY_EXISTS, `client ${spec.clientId} already exists`);
      let id: string;
      try {
        const webOrigins = spec.environment === 'test' ? browserOrigins(await findClient(PORTAL_CLIENT_ID)) : [];
        ({ id } = await admin.clients.create(clientRepresentation(spec, keyAttributes, options.accessTokenLifespanSeconds, webOrigins)));
      } catch (error) {
        if (statusOf(error) === 409) throw new LgspError(ErrorCode.ALREADY_EXISTS, `client ${spec.clientId} already exists`);
        const failure = unavailable('create client', error);
        // Keycloak may have created the client before its answer was lost: look, and undo.
        await undoCreate(spec.clientId, undefined);
        throw failure;
      }
      try {
        await grantServiceAccountRoles(id);
        const secret = spec.method === 'client-secret-jwt' ? await call('client secret', () => admin.clients.getClientSecret({ id })) : undefined;
        if (spec.method === 'client-secret-jwt' && typeof secret?.value !== 'string') {
          throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'identity provider: no client secret was generated; nothing was changed');
        }
        logger.info({ event: 'credential.created', clientId: spec.clientId, method: spec.method, environment: spec.environment }, 'credential created');
        return { clientId: spec.clientId, method: spec.method, environment: spec.environment, ...(secret?.value ? { secret: secret.value } : {}) };
      } catch (error) {
        await undoCreate(spec.clientId, id);
        throw error;
      }
    },

    async rotate(clientId, key) {
      const client = await requireClient(clientId);
      const record = credentialRecordOf(client);
      if (record.method === 'client-secret-jwt') {
        if (key?.publicKeyPem !== undefined || key?.jwksUrl !== undefined) {
          throw new LgspError(ErrorCode.BAD_USER_INPUT, `${clientId} is a client-secret-jwt credential: rotating it makes a new secret, it takes no key`);
        }
        const secret = await call('regenerate secret', () => admin.clients.generateNewClientSecret({ id: client.id }));
        if (typeof secret.value !== 'string') throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'identity provider: no client secret was generated');
        logger.info({ event: 'credential.rotated', clientId }, 'credential rotated (new secret)');
        return { clientId, method: record.method, environment: record.environment, secret: secret.value };
      }
      const attributes = jwtCredentialAttributes(key ?? {});
      await call('update key', () => admin.clients.update({ id: client.id }, { ...client, attributes: { ...client.attributes, ...attributes } }));
      logger.info({ event: 'credential.rotated', clientId }, 'credential rotated (new public key)');
      return { clientId, method: record.method, environment: record.environment };
    },

    async setEnabled(clientId, enabled) {
      const client = await requireClient(clientId);
      if (client.enabled === enabled) return;
      await call(enabled ? 'enable client' : 'disable client', () => admin.clients.update({ id: client.id }, { ...client, enabled }));
      logger.info({ event: enabled ? 'credential.enabled' : 'credential.disabled', clientId }, enabled ? 'credential enabled' : 'credential disabled');
    },

    async remove(clientId) {
      const client = await findClient(clientId);
      if (client?.id === undefined) return;
      const id = client.id;
      await call('delete client', () => admin.clients.del({ id }));
      logger.info({ event: 'credential.removed', clientId }, 'credential removed');
    },

    async get(clientId) {
      const client = await findClient(clientId);
      return client ? credentialRecordOf(client) : null;
    },
  };

  /** Deletes a client created by a `create` that failed; an operator must act when even that fails. */
  async function undoCreate(clientId: string, knownId: string | undefined): Promise<void> {
    try {
      const id = knownId ?? (await admin.clients.find({ clientId })).find((c) => c.clientId === clientId)?.id;
      if (id !== undefined) await admin.clients.del({ id });
    } catch (error) {
      logger.error(
        { event: 'credential.undo.failed', clientId, error: (error as Error).message },
        'a half-created Keycloak client could not be deleted: delete it by hand (Clients → clientId)',
      );
    }
  }
}
