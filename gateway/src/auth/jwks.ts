/** GET /.well-known/jwks.json: the public key subgraphs verify the gateway's internal tokens with. */
import type { InternalTokenIssuer } from '@lgsp/kit';
import type { RequestHandler } from 'express';

export function publishJwks(issuer: InternalTokenIssuer): RequestHandler {
  const body = JSON.stringify(issuer.jwks());
  return (_req, res) => {
    // Subgraphs cache the key set (10 min in the kit); a short shared cache keeps key rotation quick.
    res.setHeader('cache-control', 'public, max-age=300');
    res.type('application/jwk-set+json').send(body);
  };
}
