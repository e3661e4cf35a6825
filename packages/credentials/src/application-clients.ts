/**
 * Civil servants' single sign-on (đăng nhập một lần, BG:12): each application an agency registers — its login and
 * logout URLs — is one confidential OpenID Connect client of the realm, made through Keycloak's Admin REST API with
 * the same admin client as the credentials. The application signs its users in with the authorization code flow at
 * its redirect URIs, Keycloak logs them out of it through its front-channel logout URL, and its ID and access tokens
 * carry the user's `agency_code` (a user-attribute mapper, as the portal's client), so the application can refuse
 * people of other agencies. Its tokens are not for the gateway: no role scope (`fullScopeAllowed: false`), so no
 * `lgsp-gateway` audience and no roles.
 *
 * Calls for `create` (under /admin/realms/{realm}):
 *   GET clients?clientId=…     (taken? → ALREADY_EXISTS)
 *   POST clients               (the client with its mapper; Keycloak generates the secret)
 *   GET clients/{id}/client-secret
 * A failure after the POST deletes the client again (also when the POST's answer was lost after Keycloak made it).
 */
import KeycloakAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { createLogger, ErrorCode, LgspError } from '@lgsp/kit';
import { adminCalls, keycloakAdminClient, type KeycloakCredentialIssuerOptions } from './keycloak-issuer.ts';

/** What the registry asks for: one client for one application of one agency. */
export interface ApplicationClientSpec {
  /** Unique in the realm: 3 to 100 characters of a-z, 0-9, `.`, `_`, `-`. */
  clientId: string;
  /** The agency that registered it (QCVN 102:2016 code), in the client's description and attributes. */
  agencyCode: string;
  /** The application's name, shown on Keycloak's login page. */
  name: string;
  description?: string | null | undefined;
  /** Where a user starts signing in to the application (its home URL): Keycloak's rootUrl (origin) and baseUrl. */
  loginUrl: string;
  /** Keycloak's front-channel logout URL: opened in the user's browser when they log out of the realm. */
  logoutUrl: string;
  /** Where Keycloak may send the authorization code (exact URIs, no wildcards). */
  redirectUris: string[];
}

/** An application's client as it is in Keycloak now. */
export interface ApplicationClientRecord {
  clientId: string;
  enabled: boolean;
  redirectUris: string[];
  rootUrl: string | null;
  frontchannelLogoutUrl: string | null;
  postLogoutRedirectUris: string[];
  agencyCode: string | null;
}

/** Makes and removes applications' Keycloak clients; every method changes all or nothing. */
export interface ApplicationClients {
  /**
   * Creates the client; the secret is in this answer only (nothing on the platform keeps it). ALREADY_EXISTS (client
   * id taken), BAD_USER_INPUT, IDENTITY_PROVIDER_UNAVAILABLE (nothing left behind).
   */
  create(spec: ApplicationClientSpec): Promise<{ clientId: string; secret: string }>;
  /** Enables or disables the client (a disabled client signs nobody in). NOT_FOUND. */
  setEnabled(clientId: string, enabled: boolean): Promise<void>;
  /** Deletes the client; nothing happens when there is none. */
  remove(clientId: string): Promise<void>;
  get(clientId: string): Promise<ApplicationClientRecord | null>;
}

/** The client's attribute naming the agency that registered it (read back by `get`). */
export const APPLICATION_AGENCY_ATTRIBUTE = 'lgsp.agency_code';

const CLIENT_ID = /^[a-z0-9][a-z0-9._-]{2,99}$/;

type ClientRepresentation = NonNullable<Awaited<ReturnType<KeycloakAdminClient['clients']['findOne']>>>;

/** The Keycloak client representation of an application (Keycloak 26 field and attribute names). */
export function applicationClientRepresentation(spec: ApplicationClientSpec): ClientRepresentation {
  const login = new URL(spec.loginUrl);
  return {
    clientId: spec.clientId,
    name: spec.name,
    description: `${spec.description ? `${spec.description} — ` : ''}Application of ${spec.agencyCode} (single sign-on, BG:12); registered by the LGSP registry.`,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    bearerOnly: false,
    consentRequired: false,
    clientAuthenticatorType: 'client-secret',
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    // No role scope: the tokens carry the user's identity and agency, not their roles — with the full scope, the
    // user's `lgsp-gateway` roles would make the gateway an audience (Keycloak's audience resolve), and an agency
    // application could call the gateway as the user.
    fullScopeAllowed: false,
    rootUrl: login.origin,
    baseUrl: `${login.pathname}${login.search}`,
    redirectUris: [...spec.redirectUris],
    webOrigins: ['+'],
    frontchannelLogout: true,
    attributes: {
      'frontchannel.logout.url': spec.logoutUrl,
      'frontchannel.logout.session.required': 'true',
      'post.logout.redirect.uris': [...new Set([spec.loginUrl, ...spec.redirectUris])].join('##'),
      'oauth2.device.authorization.grant.enabled': 'false',
      [APPLICATION_AGENCY_ATTRIBUTE]: spec.agencyCode,
    },
    protocolMappers: [
      {
        name: 'agency_code',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-usermodel-attribute-mapper',
        config: {
          'user.attribute': 'agency_code',
          'claim.name': 'agency_code',
          'jsonType.label': 'String',
          multivalued: 'false',
          'aggregate.attrs': 'false',
          'access.token.claim': 'true',
          'id.token.claim': 'true',
          'userinfo.token.claim': 'true',
          'introspection.token.claim': 'true',
          'lightweight.claim': 'false',
        },
      },
    ],
    defaultClientScopes: ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email'],
    optionalClientScopes: [],
  } as ClientRepresentation;
}

function checkSpec(spec: ApplicationClientSpec): void {
  if (!CLIENT_ID.test(spec.clientId)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, 'clientId: 3 to 100 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
  }
  for (const [argument, value] of [
    ['loginUrl', spec.loginUrl],
    ['logoutUrl', spec.logoutUrl],
  ] as const) {
    if (!URL.canParse(value)) throw new LgspError(ErrorCode.BAD_USER_INPUT, `${argument}: not a URL`, { argument });
  }
  if (spec.redirectUris.length === 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'redirectUris: name at least one', { argument: 'redirectUris' });
}

/** Applications' clients in `options.realm`, through Keycloak's Admin REST API. */
export function createKeycloakApplicationClients(options: KeycloakCredentialIssuerOptions): ApplicationClients {
  const logger = options.logger ?? createLogger('credentials');
  const admin = keycloakAdminClient(options);

  const { call, unavailable } = adminCalls(logger);
  async function find(clientId: string): Promise<ClientRepresentation | undefined> {
    return (await call('find client', () => admin.clients.find({ clientId }))).find((c) => c.clientId === clientId);
  }
  async function undoCreate(clientId: string, knownId: string | undefined): Promise<void> {
    try {
      const id = knownId ?? (await admin.clients.find({ clientId })).find((c) => c.clientId === clientId)?.id;
      if (id !== undefined) await admin.clients.del({ id });
    } catch (error) {
      logger.error(
        { event: 'application.undo.failed', clientId, error: (error as Error).message },
        'a half-created application client could not be deleted: delete it by hand (Clients → clientId)',
      );
    }
  }

  return {
    async create(spec) {
      checkSpec(spec);
      if (await find(spec.clientId)) throw new LgspError(ErrorCode.ALREADY_EXISTS, `client ${spec.clientId} already exists`);
      let id: string;
      try {
        ({ id } = await admin.clients.create(applicationClientRepresentation(spec)));
      } catch (error) {
        if (error instanceof NetworkError && error.response.status === 409)
          throw new LgspError(ErrorCode.ALREADY_EXISTS, `client ${spec.clientId} already exists`);
        const failure = unavailable('create client', error);
        await undoCreate(spec.clientId, undefined);
        throw failure;
      }
      try {
        const secret = await call('client secret', () => admin.clients.getClientSecret({ id }));
        if (typeof secret.value !== 'string' || secret.value === '') {
          throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'identity provider: no client secret was generated; nothing was changed');
        }
        logger.info({ event: 'application.client.created', clientId: spec.clientId, agencyCode: spec.agencyCode }, 'application client created');
        return { clientId: spec.clientId, secret: secret.value };
      } catch (error) {
        await undoCreate(spec.clientId, id);
        throw error;
      }
    },

    async setEnabled(clientId, enabled) {
      const client = await find(clientId);
      if (client?.id === undefined) throw new LgspError(ErrorCode.NOT_FOUND, `no application client ${clientId}`);
      if (client.enabled === enabled) return;
      const id = client.id;
      await call(enabled ? 'enable client' : 'disable client', () => admin.clients.update({ id }, { ...client, enabled }));
      logger.info({ event: enabled ? 'application.client.enabled' : 'application.client.disabled', clientId }, 'application client changed');
    },

    async remove(clientId) {
      const client = await find(clientId);
      if (client?.id === undefined) return;
      const id = client.id;
      await call('delete client', () => admin.clients.del({ id }));
      logger.info({ event: 'application.client.removed', clientId }, 'application client removed');
    },

    async get(clientId) {
      const client = await find(clientId);
      if (client === undefined) return null;
      const attributes = (client.attributes ?? {}) as Record<string, string>;
      return {
        clientId,
        enabled: client.enabled ?? true,
        redirectUris: client.redirectUris ?? [],
        rootUrl: client.rootUrl ?? null,
        frontchannelLogoutUrl: attributes['frontchannel.logout.url'] ?? null,
        postLogoutRedirectUris: (attributes['post.logout.redirect.uris'] ?? '').split('##').filter(Boolean),
        agencyCode: attributes[APPLICATION_AGENCY_ATTRIBUTE] ?? null,
      };
    },
  };
}
