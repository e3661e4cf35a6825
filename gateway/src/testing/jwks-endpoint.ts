/**
 * Test support for the realm's keys: real signing keys and a real JWKS endpoint (a small HTTP server whose key set
 * the test changes), as Keycloak's `/protocol/openid-connect/certs` serves them.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** A fresh key pair with its public JWK as the realm publishes it (kid = thumbprint). */
export async function signingKey(alg = 'RS256'): Promise<SigningKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey: pair.privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/** A JWKS endpoint: serves `published`, counts requests, can hold answers until released, can fail. */
export class JwksEndpoint {
  published: JWK[] = [];
  requests = 0;
  failing = false;
  private held: Array<() => void> | undefined;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      this.requests++;
      const answer = () => {
        if (this.failing) {
          res.writeHead(503).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.published }));
      };
      if (this.held) this.held.push(answer);
      else answer();
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/realms/lgsp/protocol/openid-connect/certs`;
  }

  /** Answers nothing until `release`. */
  hold(): void {
    this.held = [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const answer of waiting) answer();
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
