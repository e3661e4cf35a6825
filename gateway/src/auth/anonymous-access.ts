/**
 * What a caller without an access token gets: the one statement of the rule, and the one place the code applies
 * its first half. The second half is authorization's ordinary work: an anonymous principal is not authenticated,
 * has no scopes and no agency, so no grant covers it (authorization/policies.ts). GraphiQL's help text
 * (landing/landing-page.ts) shows `ANONYMOUS_ACCESS_RULE`; the README states the same sentence.
 */
import { ANONYMOUS, type Principal } from '@lgsp/kit';
import { AuthenticationError } from './authentication-error.ts';

/** The rule, as callers read it (no apostrophes or angle brackets: the explorer pages embed it as is). */
export const ANONYMOUS_ACCESS_RULE = [
  'A request without an access token is anonymous, over HTTP and WebSocket alike (AUTH_REQUIRED=true refuses it',
  'instead: 401 UNAUTHENTICATED, or close code 4403). An anonymous caller gets the fields that carry no @authenticated,',
  '@requiresScopes or @policy directive; the others come back null with UNAUTHORIZED_FIELD_OR_TYPE (AUTHORIZATION_MODE',
  'reject refuses the whole operation; dry-run only reports). It may introspect where introspection is on (not in production).',
] as const;

/** The principal of a request without credentials: ANONYMOUS, or an authentication error when AUTH_REQUIRED. */
export function anonymousCaller(authenticationRequired: boolean): Principal {
  if (authenticationRequired) throw new AuthenticationError('missing', 'Authentication is required: send Authorization: Bearer <access token>');
  return ANONYMOUS;
}
