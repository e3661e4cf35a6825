/**
 * The portal's part of the gateway configuration (config.ts spreads `portalEnv` into its schema). The gateway serves
 * the portal's build (`portal/dist`, made by `npm run build -w portal`, which `npm install` and `npm start` run) at
 * `/portal/`, on its own origin, with `/portal/config.json` telling the portal where to sign in.
 *
 * | variable             | default                       | meaning |
 * | -------------------- | ----------------------------- | ------- |
 * | `PORTAL_DIST`        | `portal/dist` (repo root)     | the portal's build; missing → the gateway starts, warns once, and `/portal/` answers 503 saying to build it |
 * | `PORTAL_CLIENT_ID`   | `lgsp-portal`                 | the realm's public client the portal signs in with (authorization code + PKCE) |
 * | `PORTAL_ISSUER_URL`  | `KEYCLOAK_URL`                | the realm URL browsers reach, when it differs from `KEYCLOAK_URL` (it must be the tokens' `iss` all the same) |
 * | `PORTAL_CITIZEN_IDP` | `vdxp`                        | the realm's identity provider alias of VDXP (national e-ID) the portal's citizen sign-in names (`kc_idp_hint`) |
 */
import { env } from '@lgsp/kit';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

export const portalEnv = {
  PORTAL_DIST: z.string().min(1).default('portal/dist').describe("the portal's build folder (npm run build -w portal)"),
  PORTAL_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be a client id such as lgsp-portal')
    .default('lgsp-portal'),
  PORTAL_ISSUER_URL: env
    .url()
    .refine((u) => /^https?:\/\/[^/]+\/(?:auth\/)?realms\/[^/]+\/?$/.test(u), 'must be a realm URL such as https://sso.example.gov.vn/realms/lgsp')
    .transform((u) => u.replace(/\/$/, ''))
    .optional(),
  PORTAL_CITIZEN_IDP: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be an identity provider alias such as vdxp')
    .default('vdxp'),
};

type PortalEnv = z.infer<z.ZodObject<typeof portalEnv>>;

export interface PortalConfig {
  /** Absolute path of the portal's build (index.html, assets/). */
  dist: string;
  clientId: string;
  /** The realm URL the browser signs in at; undefined = KEYCLOAK_URL (the tokens' issuer). */
  issuerUrl: string | undefined;
  /** The VDXP identity provider alias in the realm. */
  citizenIdentityProvider: string;
}

export function portalConfigFrom(parsed: PortalEnv, repoRoot: string): PortalConfig {
  return {
    dist: isAbsolute(parsed.PORTAL_DIST) ? parsed.PORTAL_DIST : resolve(repoRoot, parsed.PORTAL_DIST),
    clientId: parsed.PORTAL_CLIENT_ID,
    issuerUrl: parsed.PORTAL_ISSUER_URL,
    citizenIdentityProvider: parsed.PORTAL_CITIZEN_IDP,
  };
}
