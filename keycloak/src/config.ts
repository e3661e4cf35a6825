/** The development issuer's configuration, read once from the environment (loadConfig names the variable). */
import { z } from 'zod';
import { env } from '@lgsp/kit';

export const configSchema = z.object({
  /** Port of the development issuer (Keycloak's default is 8080). */
  DEV_ISSUER_PORT: env.port(8080),
  /** Interface to bind. */
  HOST: env.host(),
  /** Public issuer URL; default http://localhost:<port>/realms/<realm>. Its path must be /realms/<realm>. */
  DEV_ISSUER_URL: env
    .url()
    .refine((u) => /^https?:\/\/[^/]+\/realms\/[a-z0-9-]+$/.test(u), 'must look like http://localhost:8080/realms/lgsp (no trailing slash)')
    .optional(),
  /**
   * The gateway's public origin (where the portal is served), e.g. http://localhost:4000: the root URL of the realm's
   * clients, so the portal's relative redirect URIs ("/*") follow it. Default: each client's rootUrl in the realm.
   */
  GATEWAY_PUBLIC_URL: env
    .url()
    .refine((u) => /^https?:\/\/[^/]+\/?$/.test(u), 'must be an origin such as https://lgsp.example.gov.vn (no path)')
    .optional(),
  /** The realm export to load; default keycloak/realm-export.json. */
  DEV_ISSUER_REALM_FILE: z.string().min(1).optional(),
  /** Signing key (PKCS#8 PEM or a JWKS with private RSA keys); default: a new RSA key at every start. */
  DEV_ISSUER_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /**
   * Where VDXP (the national e-ID, identity provider `vdxp`) is: its issuer identifier, e.g. http://localhost:4200/vdxp.
   * Every URL of the realm's `vdxp` identity provider is rebased on it. Default: the realm export's config.issuer.
   */
  VDXP_ISSUER_URL: env.url().optional(),
  /** The `vdxp` identity provider's client secret at VDXP. Default: the realm export's config.clientSecret (development). */
  VDXP_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: env.logLevel(),
});

export type DevIssuerConfig = z.infer<typeof configSchema>;
