/**
 * Who is calling. Every caller is anonymous until the identity issue adds Keycloak access tokens and signed
 * requests here; the rest of the gateway already takes the principal from this one function.
 */
import { ANONYMOUS, type Principal } from '@lgsp/kit';
import type { Request } from 'express';

export async function principalOf(_request: Request): Promise<Principal> {
  return ANONYMOUS;
}
