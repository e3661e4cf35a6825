/**
 * The landing page at GET /graphql (browsers): Apollo Sandbox outside production, nothing in production.
 * FINDINGS #6: Sandbox is loaded from Apollo's CDN and needs the internet; on a closed network it shows
 * "Apollo Sandbox cannot be loaded". A self-hosted explorer is planned for those networks.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

export function landingPagePlugin(production: boolean): ApolloServerPlugin {
  if (production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({
    // The endpoint is the page's own URL (prefilled). No calls home from a government network's browsers.
    embed: { endpointIsEditable: false, runTelemetry: false },
    // A placeholder the user replaces with an access token (editable, unlike `sharedHeaders`).
    headers: { Authorization: 'Bearer <access token>' },
    includeCookies: false,
    footer: false,
  });
}
