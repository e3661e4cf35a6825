/**
 * The landing page at GET /graphql (browsers) outside production, chosen by GATEWAY_EXPLORER; nothing in production.
 * - `graphiql` (default): GraphiQL served by the gateway itself, every script, style and font included
 *   (graphiql.ts), so it works on the province's closed networks, which are the common case.
 * - `apollo-sandbox`: Apollo Sandbox. docs/findings.md #6: it loads from Apollo's CDN and needs the internet; on a closed
 *   network it shows "Apollo Sandbox cannot be loaded".
 *
 * Both are prefilled for bearer authentication when a realm is configured: an `Authorization: Bearer <access token>`
 * header to replace, and a first document that says where the token comes from (the realm's token endpoint,
 * client_credentials with a client assertion) and that personal data needs `X-LGSP-Purpose`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Router } from 'express';
import { ANONYMOUS_ACCESS_RULE } from '../auth/anonymous-access.ts';
import type { GatewayConfig } from '../config.ts';
import { graphiqlRoutes } from './graphiql.ts';

/** The explorers GATEWAY_EXPLORER may name. */
export type Explorer = GatewayConfig['explorer'];

const EXPLORER_NAMES: Record<Explorer, string> = { graphiql: 'GraphiQL', 'apollo-sandbox': 'Apollo Sandbox' };

/** The placeholder the user replaces with an access token. */
export const ACCESS_TOKEN_PLACEHOLDER = 'Bearer <access token>';

/** The explorer's first document: how to authenticate, then a query anyone may run. */
export function explorerDocument(explorer: Explorer, realmUrl: string | undefined): string {
  const anonymousRule = ANONYMOUS_ACCESS_RULE.map((line) => `# ${line}`);
  // No < > & ' in the document: Apollo Server 5.5 escapes only the first occurrence of each when it embeds the
  // Sandbox configuration in a <script> (String.replace with a string), so the page must not rely on it.
  const how =
    realmUrl === undefined
      ? [
          '# This gateway has no identity provider (KEYCLOAK_URL is not set): every caller is anonymous, and a',
          '# Bearer token is refused (401).',
          ...anonymousRule,
        ]
      : [
          ...anonymousRule,
          '# To call as an agency system, get an access token (client_credentials with a client assertion;',
          '# keycloak/README.md):',
          `#   TOKEN_ENDPOINT=${realmUrl}/protocol/openid-connect/token`,
          '#   ASSERTION=$(npx tsx keycloak/scripts/client-assertion.ts sotaichinh-h41-dkkd "$TOKEN_ENDPOINT")',
          '#   curl -s "$TOKEN_ENDPOINT" -d grant_type=client_credentials -d client_id=sotaichinh-h41-dkkd \\',
          '#     -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d client_assertion="$ASSERTION"',
          '# and put it after "Bearer " in the Authorization header of the Headers tab (it is valid 5 minutes).',
          '# Personal data also needs the purpose of use (mục đích sử dụng) as category:reference, a category',
          '# your grant names and your dossier number, in the header',
          '#   "X-LGSP-Purpose": "residence-management:HS-2026-000123"',
          `# (at most 200 characters; Vietnamese goes percent-encoded as UTF-8${explorer === 'graphiql' ? ', which GraphiQL does for you' : ''}).`,
        ];
  return [`# LGSP Gateway — ${EXPLORER_NAMES[explorer]} (development)`, '#', ...how, 'query Hello {', '  __typename', '}', ''].join('\n');
}

/** What serves the landing page: Apollo Server's plugin, and for GraphiQL routes to mount before /graphql. */
export interface LandingPage {
  plugin: ApolloServerPlugin;
  /** GraphiQL's page and assets (graphiql.ts); undefined when Apollo Server renders the page or there is none. */
  routes: Router | undefined;
}

export async function landingPage(options: { production: boolean; explorer: Explorer; realmUrl: string | undefined }): Promise<LandingPage> {
  const { production, explorer, realmUrl } = options;
  if (production) return { plugin: ApolloServerPluginLandingPageDisabled(), routes: undefined };
  const document = explorerDocument(explorer, realmUrl);
  if (explorer === 'graphiql') {
    // Apollo Server would show Sandbox outside production unless disabled; GraphiQL's routes answer browsers first.
    // Without a realm no token is accepted, so none is suggested.
    const headers = realmUrl === undefined ? '' : JSON.stringify({ Authorization: ACCESS_TOKEN_PLACEHOLDER }, null, 2);
    return { plugin: ApolloServerPluginLandingPageDisabled(), routes: await graphiqlRoutes({ document, headers }) };
  }
  const sandbox = ApolloServerPluginLandingPageLocalDefault({
    // The endpoint is the page's own URL (prefilled). No calls home from a government network's browsers.
    embed: { endpointIsEditable: false, runTelemetry: false },
    document,
    // A placeholder the user replaces with an access token (editable, unlike `sharedHeaders`). Without a realm
    // no token is accepted, so none is suggested.
    ...(realmUrl === undefined ? {} : { headers: { Authorization: ACCESS_TOKEN_PLACEHOLDER } }),
    includeCookies: false,
    footer: false,
  });
  return { plugin: sandbox, routes: undefined };
}
