/**
 * `npm start`: the whole platform on embedded defaults — in-memory stores (Redis when REDIS_URL is set), the
 * national-platform simulator, every subgraph and the gateway — then prints where to go, the portal first. The
 * portal's build (portal/dist, served by the gateway at /portal/) is made again first when it is missing or older
 * than portal/src (scripts/portal-build.ts; `npm install` made it).
 *
 * Environment (all optional; each service also reads its own, see docs/operations.md "Configuration"):
 *   HOST                 interface every service binds to            (127.0.0.1)
 *   GATEWAY_PORT         the public GraphQL endpoint                  (4000)
 *   CATALOGS_PORT        catalogs subgraph                            (4101)
 *   NATIONAL_DATA_PORT   national-data subgraph                       (4102)
 *   RELAY_PORT           relay subgraph (packet exchange)             (4103)
 *   SUBSCRIPTIONS_PORT   subscriptions subgraph (graphql-ws events)   (4104)
 *   REGISTRY_PORT        registry subgraph (agencies, services, access) (4105)
 *   MONITORING_PORT      monitoring subgraph (audit, health, reports) (4106)
 *   SIMULATOR_PORT       national-platform simulator                  (4200)
 *   DEV_ISSUER_PORT      Keycloak-compatible development issuer       (8080)
 *   GATEWAY_PUBLIC_URL   the gateway's origin as browsers and agency systems reach it: the relay's upload and
 *                        download URLs and the portal's redirect URIs at the development issuer follow it
 *                                                                    (http://localhost:<GATEWAY_PORT>)
 *   KEYCLOAK_URL         realm URL of a real Keycloak; unset = run the development issuer
 *   REDIS_URL            Redis for every store; unset = in-memory      (unset)
 */
import { z } from 'zod';
import { ConfigError, env, loadConfig, connectRedis, redactUrl } from '@lgsp/kit';
import { startPlatform } from './platform.ts';
import { ensurePortalBuilt } from './portal-build.ts';
import { forgetRunningPlatform, recordRunningPlatform } from './running-platform.ts';

const schema = z.object({
  HOST: env.host(),
  GATEWAY_PORT: env.port(4000),
  CATALOGS_PORT: env.port(4101),
  NATIONAL_DATA_PORT: env.port(4102),
  RELAY_PORT: env.port(4103),
  SUBSCRIPTIONS_PORT: env.port(4104),
  REGISTRY_PORT: env.port(4105),
  MONITORING_PORT: env.port(4106),
  SIMULATOR_PORT: env.port(4200),
  DEV_ISSUER_PORT: env.port(8080),
  GATEWAY_PUBLIC_URL: env
    .url()
    .refine((u) => /^https?:\/\/[^/]+\/?$/.test(u), 'must be an origin such as https://lgsp.example.gov.vn (no path)')
    .optional(),
  KEYCLOAK_URL: env
    .url()
    .refine((u) => /\/realms\/[^/]+$/.test(u), 'must be a realm URL such as https://sso.example.gov.vn/realms/lgsp')
    .optional(),
  REDIS_URL: env.redisUrl().optional(),
});

let config: z.infer<typeof schema>;
try {
  config = loadConfig('npm start', schema);
  const ports = [
    config.GATEWAY_PORT,
    config.CATALOGS_PORT,
    config.NATIONAL_DATA_PORT,
    config.RELAY_PORT,
    config.SUBSCRIPTIONS_PORT,
    config.REGISTRY_PORT,
    config.MONITORING_PORT,
    config.SIMULATOR_PORT,
    config.DEV_ISSUER_PORT,
  ];
  if (new Set(ports).size !== ports.length) {
    throw new ConfigError('npm start', [
      'GATEWAY_PORT, CATALOGS_PORT, NATIONAL_DATA_PORT, RELAY_PORT, SUBSCRIPTIONS_PORT, REGISTRY_PORT, MONITORING_PORT, SIMULATOR_PORT, DEV_ISSUER_PORT: must all be different',
    ]);
  }
  if (config.REDIS_URL !== undefined) await (await connectRedis(config.REDIS_URL)).quit();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const verbose = process.env.LOG_LEVEL !== undefined;
console.log(`Starting LGSP Gateway (${config.REDIS_URL ? `Redis at ${redactUrl(config.REDIS_URL)}` : 'in-memory stores'})…`);
const started = Date.now();
try {
  await ensurePortalBuilt((line) => console.log(line));
} catch (error) {
  // GraphQL does not need the portal: start anyway; /portal/ says what is missing (503).
  console.error(`${(error as Error).message}\nThe portal will answer 503 until \`npm run build -w portal\` succeeds; the rest starts.`);
}
let platform;
try {
  platform = await startPlatform({
    host: config.HOST,
    ports: {
      gateway: config.GATEWAY_PORT,
      catalogs: config.CATALOGS_PORT,
      nationalData: config.NATIONAL_DATA_PORT,
      relay: config.RELAY_PORT,
      subscriptions: config.SUBSCRIPTIONS_PORT,
      registry: config.REGISTRY_PORT,
      monitoring: config.MONITORING_PORT,
      simulator: config.SIMULATOR_PORT,
      devIssuer: config.DEV_ISSUER_PORT,
    },
    redisUrl: config.REDIS_URL,
    keycloakUrl: config.KEYCLOAK_URL,
    // One setting for where the gateway is reached: the relay's URLs and the portal's redirect URIs follow it.
    publicUrl: (config.GATEWAY_PUBLIC_URL ?? `http://localhost:${config.GATEWAY_PORT}`).replace(/\/+$/, ''),
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    output: (service, line) => {
      // Logs are JSON lines; show them prefixed by service. Warnings and errors always, the rest with LOG_LEVEL.
      if (verbose || /"level":"(warn|error|fatal)"/.test(line) || !line.startsWith('{')) console.log(`[${service}] ${line}`);
    },
  });
} catch (error) {
  console.error(`\nThe platform did not start: ${(error as Error).message}`);
  if (/EADDRINUSE/.test((error as Error).message)) {
    console.error(
      'A port is already in use: set GATEWAY_PORT, CATALOGS_PORT, NATIONAL_DATA_PORT, RELAY_PORT, SUBSCRIPTIONS_PORT, REGISTRY_PORT, MONITORING_PORT, SIMULATOR_PORT or DEV_ISSUER_PORT.',
    );
  }
  process.exit(1);
}

const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
// The portal's address is the public origin: the identity provider sends people back there after signing in.
const portalUrl = `${(config.GATEWAY_PUBLIC_URL ?? `http://localhost:${config.GATEWAY_PORT}`).replace(/\/+$/, '')}/portal/`;
// For `npm run token` and `npm run subscribe` in another terminal, which do not have this environment.
recordRunningPlatform({
  pid: process.pid,
  registry: platform.registryInternal,
  monitoring: platform.monitoringInternal,
  issuer: platform.urls.issuer,
  gateway: `http://${host}:${config.GATEWAY_PORT}/graphql`,
  gatewayWs: `ws://${host}:${config.GATEWAY_PORT}/graphql`,
});
console.log(`
LGSP Gateway is ready (${((Date.now() - started) / 1000).toFixed(1)} s).

  Portal                         ${portalUrl}   (sign in with a development user: keycloak/dev-credentials/README.md)
  GraphQL endpoint and GraphiQL  http://${host}:${config.GATEWAY_PORT}/graphql
  Subscriptions (graphql-ws)     ws://${host}:${config.GATEWAY_PORT}/graphql
  Packet exchange content        http://${host}:${config.GATEWAY_PORT}/exchange/   (URLs come from requestExchange / claimPacket)
  Health                         http://${host}:${config.GATEWAY_PORT}/health/ready
  Metrics (Prometheus)           http://${host}:${config.GATEWAY_PORT}/metrics
  National-platform simulator    http://${host}:${config.SIMULATOR_PORT}   (contract: simulator/CONTRACT.md)
${config.GATEWAY_PUBLIC_URL ? `  Public origin                  ${config.GATEWAY_PUBLIC_URL}   (GATEWAY_PUBLIC_URL: exchange URLs and portal sign-in go there)\n` : ''}  Identity provider (realm lgsp) ${platform.urls.issuer}${config.KEYCLOAK_URL ? '' : '   (development issuer; credentials: keycloak/dev-credentials/README.md)'}

Try it (every field needs a token; these are DEVELOPMENT credentials, see keycloak/dev-credentials/README.md;
\`npm run token\` and \`npm run subscribe\` find this platform on its ports by themselves):
  TOKEN=$(npm run --silent token -- congan-h41-dancu)
  curl -s http://${host}:${config.GATEWAY_PORT}/graphql -H "authorization: Bearer $TOKEN" \\
    -H 'x-lgsp-purpose: residence-management:HS-2026-000123' -H 'content-type: application/json' \\
    -d '{"query":"{ citizen(personalId: \\"040074988660\\") { fullName ethnicity { name } permanentAddress { ward { name } } } }"}'
In GraphiQL (the GraphQL URL in a browser), put "Bearer <token>" in the Authorization header and the purpose in X-LGSP-Purpose.

Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    forgetRunningPlatform(process.pid);
    void platform.close().then(() => process.exit(0));
  });
}
