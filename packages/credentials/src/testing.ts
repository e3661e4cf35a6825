/**
 * Test helpers of `@lgsp/credentials`: the development issuer with a CredentialIssuer on it, a real HTTP proxy in front of an identity provider that forwards every
 * request and fails the ones a test chooses (Keycloak failing midway), and a token obtained with a credential the
 * way an agency system obtains it (a signed client assertion, client credentials).
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { loadRealmExport } from '@lgsp/keycloak/realm';
import { createLogger, type Logger } from '@lgsp/kit';
import { SignJWT } from 'jose';
import { createKeycloakCredentialIssuer } from './keycloak-issuer.ts';
import type { CredentialIssuer } from './types.ts';
import { createKeycloakApplicationClients, type ApplicationClients } from './application-clients.ts';

/** One request the proxy saw. */
export interface ProxiedCall {
  method: string;
  path: string;
  /** 1-based number among the calls the proxy counts (the Admin REST API ones), or 0 when not counted. */
  n: number;
  failed: boolean;
}

/** A running proxy that fails the calls a test chooses. */
export interface FaultyProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:41234 — give it as KEYCLOAK_ADMIN_URL. */
  url: string;
  /** Every request, in order. */
  calls: ProxiedCall[];
  /** Fails the `n`th counted call from now on (1-based, counting from the last reset), or none with undefined. */
  failCall(n: number | undefined, how?: 'status' | 'reset' | 'hang'): void;
  close(): Promise<void>;
}

/**
 * A proxy to `target` (an origin). Requests under `/admin/` are counted; the chosen one is failed, either with a 503
 * answer from the proxy (`status`, the request is not forwarded) or by cutting the connection after forwarding it
 * (`reset`: the identity provider did the work, the caller never hears of it), or by never answering (`hang`, until
 * the caller gives up).
 */
export async function startFaultyProxy(target: string, counted: (path: string) => boolean = (p) => p.startsWith('/admin/')): Promise<FaultyProxy> {
  const targetUrl = new URL(target);
  const calls: ProxiedCall[] = [];
  let failAt: number | undefined;
  let how: 'status' | 'reset' | 'hang' = 'status';
  let count = 0;

  const forward = (req: IncomingMessage, res: ServerResponse, onAnswered: (upstream: IncomingMessage) => void): void => {
    const upstream = httpRequest(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: targetUrl.host } },
      onAnswered,
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const isCounted = counted(path);
    const n = isCounted ? ++count : 0;
    const fail = isCounted && n === failAt;
    calls.push({ method: req.method ?? 'GET', path, n, failed: fail });
    if (fail && how === 'hang') {
      req.resume();
      return;
    }
    if (fail && how === 'status') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'injected failure' }));
      return;
    }
    forward(req, res, (upstream) => {
      if (fail) {
        upstream.resume();
        res.destroy();
        return;
      }
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    failCall(n, mode = 'status') {
      failAt = n === undefined ? undefined : count + n;
      how = mode;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An access token for a credential: client credentials with an HS256 (secret) or RS256 (private key) assertion. */
export async function tokenWithCredential(
  issuerUrl: string,
  clientId: string,
  credential: { secret: string } | { privateKeyPem: string; kid?: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const tokenEndpoint = `${issuerUrl}/protocol/openid-connect/token`;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(randomUUID());
  const assertion =
    'secret' in credential
      ? await jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(credential.secret))
      : await jwt
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(credential.kid !== undefined ? { kid: credential.kid } : {}) })
          .sign(createPrivateKey(credential.privateKeyPem));
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A development issuer of its own (a fresh copy of the realm export, port 0) and a CredentialIssuer using it as `lgsp-registry`. */
export interface CredentialsForTest {
  /** The running development issuer: `issuer.issuer` is the token issuer, `issuer.url` the KEYCLOAK_ADMIN_URL. */
  issuer: RunningDevIssuer;
  credentials: CredentialIssuer;
  /** Applications' single sign-on clients on the same issuer, as `lgsp-registry`. */
  applications: ApplicationClients;
  /** The secret of `lgsp-registry`, for another CredentialIssuer (e.g. through a proxy). */
  adminSecret: string;
  close(): Promise<void>;
}

/** Starts the development issuer and a CredentialIssuer on it, for tests of code that issues credentials (the registry). */
export async function startCredentialsForTest(logger: Logger = createLogger('credentials-test', 'silent')): Promise<CredentialsForTest> {
  const realm = await loadRealmExport();
  const adminSecret = realm.clients.find((c) => c.clientId === 'lgsp-registry')?.secret ?? '';
  const issuer = await startDevIssuer(configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { realm, logger });
  const credentials = createKeycloakCredentialIssuer({
    adminUrl: issuer.url,
    realm: realm.realm,
    clientId: 'lgsp-registry',
    clientSecret: adminSecret,
    logger,
  });
  const applications = createKeycloakApplicationClients({
    adminUrl: issuer.url,
    realm: realm.realm,
    clientId: 'lgsp-registry',
    clientSecret: adminSecret,
    logger,
  });
  return { issuer, credentials, applications, adminSecret, close: () => issuer.close() };
}
