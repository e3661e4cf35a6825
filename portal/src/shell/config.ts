/**
 * The portal's runtime settings, served by the gateway at `/portal/config.json` (gateway/src/portal/): the realm's
 * issuer URL (Keycloak, or the development issuer), the portal's client id and where GraphQL is. Nothing is built in,
 * so one build runs in every environment.
 */
export interface PortalConfig {
  /** The realm's issuer, e.g. `http://localhost:8080/realms/lgsp`. */
  issuer: string;
  /** The portal's public client (authorization code + PKCE): `lgsp-portal`. */
  clientId: string;
  /** The gateway's GraphQL endpoint, same origin: `/graphql`. */
  graphqlPath: string;
  /** The identity provider alias of VDXP (national e-ID) in the realm: `vdxp`. */
  citizenIdentityProvider: string;
}

let loaded: Promise<PortalConfig> | undefined;

export function portalConfig(): Promise<PortalConfig> {
  loaded ??= fetch(`${import.meta.env.BASE_URL}config.json`, { headers: { accept: 'application/json' } }).then(async (response) => {
    if (!response.ok) throw new Error(`The portal's settings could not be read (${response.status})`);
    return (await response.json()) as PortalConfig;
  });
  return loaded;
}
