/**
 * The landing page at GET /graphql (browsers): Apollo Sandbox outside production, nothing in production.
 * FINDINGS #6: Sandbox is loaded from Apollo's CDN and needs the internet; on a closed network it shows
 * "Apollo Sandbox cannot be loaded". A self-hosted explorer is planned for those networks.
 *
 * Prefilled for bearer authentication when a realm is configured: an `Authorization: Bearer <access token>`
 * header to replace, and a first document that says where the token comes from (the realm's token endpoint,
 * client_credentials with a client assertion) and that personal data needs `X-LGSP-Purpose`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/** The placeholder the user replaces with an access token. */
export const ACCESS_TOKEN_PLACEHOLDER = 'Bearer <access token>';

/** The Sandbox's first document: how to authenticate, then a query anyone may run. */
export function sandboxDocument(realmUrl: string | undefined): string {
  // No < > & ' in the document: Apollo Server 5.5 escapes only the first occurrence of each when it embeds the
  // Sandbox configuration in a <script> (String.replace with a string), so the page must not rely on it.
  const how =
    realmUrl === undefined
      ? [
          '# This gateway has no identity provider (KEYCLOAK_URL is not set): every caller is anonymous and',
          '# sees only fields without authorization directives. A Bearer token would be refused (401).',
        ]
      : [
          '# Anonymous callers see only fields without authorization directives. To call as an agency system,',
          '# get an access token (client_credentials with a client assertion; keycloak/README.md):',
          `#   TOKEN_ENDPOINT=${realmUrl}/protocol/openid-connect/token`,
          '#   ASSERTION=$(npx tsx keycloak/scripts/client-assertion.ts sotaichinh-h41-dkkd "$TOKEN_ENDPOINT")',
          '#   curl -s "$TOKEN_ENDPOINT" -d grant_type=client_credentials -d client_id=sotaichinh-h41-dkkd \\',
          '#     -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d client_assertion="$ASSERTION"',
          '# and put it after "Bearer " in the Authorization header of the Headers tab (it is valid 5 minutes).',
          '# Personal data also needs the purpose of use (mục đích sử dụng): add the header',
          '#   X-LGSP-Purpose: HS-2025-000123     (your dossier number; printable ASCII, at most 200 characters)',
        ];
  return ['# LGSP Gateway — Apollo Sandbox (development)', '#', ...how, 'query Hello {', '  __typename', '}', ''].join('\n');
}

export function landingPagePlugin(production: boolean, realmUrl?: string): ApolloServerPlugin {
  if (production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({
    // The endpoint is the page's own URL (prefilled). No calls home from a government network's browsers.
    embed: { endpointIsEditable: false, runTelemetry: false },
    document: sandboxDocument(realmUrl),
    // A placeholder the user replaces with an access token (editable, unlike `sharedHeaders`). Without a realm
    // no token is accepted, so none is suggested.
    ...(realmUrl === undefined ? {} : { headers: { Authorization: ACCESS_TOKEN_PLACEHOLDER } }),
    includeCookies: false,
    footer: false,
  });
}
