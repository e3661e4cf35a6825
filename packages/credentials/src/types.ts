/**
 * The credentials of agency systems (khóa truy cập của hệ thống thông tin): what the registry asks for and what it
 * gets back. One credential is one Keycloak client of the realm, used with client credentials and a signed client
 * assertion (RFC 7523) — the regulations' access key + secret key (`client-secret-jwt`, HS256) or an RSA key pair
 * (`client-jwt`, the system's public key or JWKS URL).
 */
import type { Environment } from '@lgsp/kit';

export type { Environment };

/**
 * How the system authenticates at the token endpoint: `client-secret-jwt` (an HS256 assertion signed with the
 * client secret, shown once) or `client-jwt` (an RS256 assertion signed with the system's RSA private key).
 */
export type CredentialMethod = 'client-secret-jwt' | 'client-jwt';

/** The methods, for validation and GraphQL enums. */
export const CREDENTIAL_METHODS: readonly CredentialMethod[] = ['client-secret-jwt', 'client-jwt'];

/** What the registry asks for: one client for one system of one agency in one environment. */
export interface ClientSpec {
  /** The client id (the access key), unique in the realm, e.g. `sotuphap-h41-hotich-test`. */
  clientId: string;
  /** The system's agency (mã định danh cơ quan, QCVN 102:2016 `AAA.BB.CC.XNN`): the token's `agency_code`. */
  agencyCode: string;
  /** The information system's id in the registry: the token's `system_id`. */
  systemId: string;
  /** Test credentials carry `lgsp_environment: "test"` in their tokens; production ones carry none. */
  environment: Environment;
  method: CredentialMethod;
  /** For `client-jwt`: the system's public key (PEM: SPKI public key or X.509 certificate). */
  publicKeyPem?: string;
  /** For `client-jwt`, instead of a key: where the system publishes its JWKS (https; http only on loopback). */
  jwksUrl?: string;
  /** A display name (the system's name); default the client id. */
  name?: string;
}

/** What `create` and `rotate` return. */
export interface IssuedCredential {
  clientId: string;
  method: CredentialMethod;
  environment: Environment;
  /** For `client-secret-jwt` only: the client secret. It is shown once; nothing on the platform keeps a copy. */
  secret?: string;
}

/** A credential as it is in the identity provider now. */
export interface CredentialRecord {
  clientId: string;
  /** false once disabled: the token endpoint refuses the client. */
  enabled: boolean;
  method: CredentialMethod;
  environment: Environment;
  agencyCode: string;
  systemId: string;
}

/**
 * Issues and manages credentials in the identity provider. Every method changes all or nothing: when the identity
 * provider fails midway, what was already changed is undone and `IDENTITY_PROVIDER_UNAVAILABLE` is thrown.
 */
export interface CredentialIssuer {
  /**
   * Creates the client with its claims (`agency_code`, `system_id`, `lgsp_environment` for test), the audience
   * `lgsp-gateway`, and a service account holding `agency-system` and `lgsp-gateway`'s `data-consumer`. Usable at
   * the token endpoint at once. Throws ALREADY_EXISTS (client id taken), INVALID_PUBLIC_KEY (a key or JWKS URL
   * that is not one, or none for `client-jwt`), INVALID_AGENCY_CODE, BAD_USER_INPUT, IDENTITY_PROVIDER_UNAVAILABLE.
   */
  create(spec: ClientSpec): Promise<IssuedCredential>;
  /**
   * A new credential for the same client: a new secret (`client-secret-jwt`; the old one stops working at once) or
   * the new public key / JWKS URL (`client-jwt`). Throws NOT_FOUND, INVALID_PUBLIC_KEY, BAD_USER_INPUT.
   */
  rotate(clientId: string, key?: { publicKeyPem?: string; jwksUrl?: string }): Promise<IssuedCredential>;
  /** Enables or disables the client (a disabled client gets no token). Throws NOT_FOUND. */
  setEnabled(clientId: string, enabled: boolean): Promise<void>;
  /** Deletes the client and its service account; nothing happens when there is no such client. */
  remove(clientId: string): Promise<void>;
  /** The credential as it is now, or null when there is no such client. */
  get(clientId: string): Promise<CredentialRecord | null>;
}
