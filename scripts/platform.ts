/**
 * Starts the whole platform as real processes — the national-platform simulator, each subgraph and the gateway —
 * wires their ports together, and waits until the gateway reports ready. Used by `npm start` and by the
 * end-to-end tests, so what the tests exercise is what an operator runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export const repoRoot = new URL('..', import.meta.url).pathname;

export interface PlatformPorts {
  gateway: number;
  catalogs: number;
  nationalData: number;
  relay: number;
  subscriptions: number;
  registry: number;
  /** The monitoring subgraph: audit queries, health of connected systems, statistics, reports. */
  monitoring: number;
  simulator: number;
  /** The Keycloak-compatible development issuer; started only when no `keycloakUrl` is given. */
  devIssuer: number;
}

export interface PlatformOptions {
  host?: string;
  ports: PlatformPorts;
  redisUrl?: string | undefined;
  /**
   * The gateway's public origin (GATEWAY_PUBLIC_URL, e.g. https://lgsp.example.gov.vn): where the relay's upload and
   * download URLs point, and the root of the portal's redirect URIs at the development issuer. Unset: the relay's
   * URLs name the gateway's own address, and the issuer keeps the realm's root URL (http://localhost:4000).
   */
  publicUrl?: string | undefined;
  /** Realm URL of a real Keycloak (e.g. https://sso.example.gov.vn/realms/lgsp); unset = run the development issuer. */
  keycloakUrl?: string | undefined;
  /** Extra environment for every process (e.g. LOG_LEVEL, SIMULATOR_LATENCY_MS). */
  env?: Record<string, string | undefined>;
  /** Where child output goes: each line prefixed with the process name. Default: discarded. */
  output?: ((service: string, line: string) => void) | undefined;
  /**
   * How long each service may take to answer its readiness check (default 60 s). A service that exits fails at once;
   * this bounds one that hangs. On two busy cores the seven services compiling their TypeScript at once took 16-23 s
   * in CI, too close to the 30 s this used to be.
   */
  readyTimeoutMs?: number;
  /** Extra Node flags per service, after its own (e.g. `--cpu-prof` for the benchmark's profiles). */
  nodeArgs?: Partial<Record<ServiceName, string[]>>;
}

export interface RunningPlatform {
  urls: {
    gateway: string;
    /** graphql-ws on the gateway (ws://…/graphql). */
    gatewayWs: string;
    catalogs: string;
    nationalData: string;
    relay: string;
    subscriptions: string;
    registry: string;
    monitoring: string;
    simulator: string;
    health: string;
    metrics: string;
    issuer: string;
  };
  /** The registry's internal API (`npm run registry`, and `npm run grants` without Redis): its origin and bearer secret. */
  registryInternal: { url: string; token: string };
  /** Monitoring's internal API (the audit log without Redis: `npm run audit`, `npm run report`): origin and bearer secret. */
  monitoringInternal: { url: string; token: string };
  /** Stops one service (e.g. to test failures) and starts it again with the same settings. */
  restart(service: ServiceName): Promise<void>;
  stop(service: ServiceName): Promise<void>;
  close(): Promise<void>;
}

export type ServiceName = 'dev-issuer' | 'simulator' | 'registry' | 'monitoring' | 'catalogs' | 'national-data' | 'relay' | 'subscriptions' | 'gateway';

interface ServiceSpec {
  name: ServiceName;
  main: string;
  /** V8/Node flags for this process. */
  nodeArgs?: string[];
  env: Record<string, string | undefined>;
  readyUrl: string;
}

/** How long a service may take to answer its readiness check unless `readyTimeoutMs` says otherwise. */
const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** A free port on loopback (for tests; drawn below the ephemeral range, see kit's testing.ts). */
export { freePortForTest as freePort } from '@lgsp/kit/testing';

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const host = options.host ?? '127.0.0.1';
  const { ports } = options;
  const base = (port: number) => `http://${host}:${port}`;
  // The development issuer's public URL is Keycloak's shape on localhost, as the realm's redirect URIs expect.
  const issuer = options.keycloakUrl ?? `http://localhost:${ports.devIssuer}/realms/lgsp`;
  // The national e-ID simulator (VNeID/VDXP), an OpenID provider served by the national-platform simulator.
  const vdxpIssuer = options.env?.VDXP_ISSUER_URL ?? `http://localhost:${ports.simulator}/vdxp`;
  // The relay and the subscriptions service share a secret for what passes between them outside the gateway:
  // events (posted to /internal/events when there is no Redis) and presence (/internal/presence). Generated per
  // start unless the environment gives one: development only, never logged.
  const eventsToken = options.env?.EVENTS_PUBLISH_TOKEN ?? `development-only-${randomBytes(24).toString('base64url')}`;
  // The relay's content key and URL secret, likewise per start: a restarted relay process (restart('relay')) still
  // reads the content and honours the URLs handed out before, as replicas sharing the configured keys do.
  const relayKeys = {
    RELAY_MASTER_KEY: options.env?.RELAY_MASTER_KEY ?? randomBytes(32).toString('hex'),
    RELAY_URL_SECRET: options.env?.RELAY_URL_SECRET ?? `development-only-${randomBytes(24).toString('base64url')}`,
  };
  // The registry's internal API (/internal/v1/…: agencies, relay routes, notices, and, without Redis, grants and
  // credential revocations) answers the services that read it with this bearer secret; per start, like the above.
  const registryToken = options.env?.REGISTRY_INTERNAL_TOKEN ?? `development-only-${randomBytes(24).toString('base64url')}`;
  const registryAccess = { REGISTRY_URL: base(ports.registry), REGISTRY_INTERNAL_TOKEN: registryToken };
  // Monitoring's internal API (/internal/v1/audit): without Redis it holds the audit log and every other process
  // appends its records there with this bearer secret (with Redis they append to the stream directly).
  const monitoringToken = options.env?.MONITORING_INTERNAL_TOKEN ?? `development-only-${randomBytes(24).toString('base64url')}`;
  const common = {
    HOST: host,
    KEYCLOAK_URL: issuer,
    REDIS_URL: options.redisUrl,
    GATEWAY_JWKS_URL: `${base(ports.gateway)}/.well-known/jwks.json`,
    // Where audit records go without Redis (@lgsp/audit's startAuditWriter): monitoring's log.
    MONITORING_URL: options.redisUrl === undefined ? base(ports.monitoring) : undefined,
    MONITORING_INTERNAL_TOKEN: monitoringToken,
    ...options.env,
  };
  const devIssuer: ServiceSpec = {
    name: 'dev-issuer',
    main: 'keycloak/src/main.ts',
    env: {
      ...common,
      DEV_ISSUER_PORT: String(ports.devIssuer),
      DEV_ISSUER_URL: issuer,
      GATEWAY_PUBLIC_URL: options.publicUrl,
      // The identity provider `vdxp` is the simulator's national e-ID, wherever the simulator listens (fetched at login only).
      VDXP_ISSUER_URL: vdxpIssuer,
    },
    readyUrl: `${base(ports.devIssuer)}/health/ready`,
  };
  const specs: ServiceSpec[] = [
    {
      name: 'simulator',
      main: 'simulator/src/main.ts',
      // VDXP (<simulator>/vdxp) sends citizens back to the issuer's broker endpoint for the identity provider `vdxp`.
      env: {
        ...common,
        PORT: String(ports.simulator),
        VDXP_ISSUER_URL: vdxpIssuer,
        VDXP_REDIRECT_URIS: options.env?.VDXP_REDIRECT_URIS ?? `${issuer}/broker/vdxp/endpoint`,
      },
      readyUrl: `${base(ports.simulator)}/health`,
    },
    {
      name: 'registry',
      main: 'subgraphs/registry/src/main.ts',
      env: {
        ...common,
        PORT: String(ports.registry),
        REGISTRY_INTERNAL_TOKEN: registryToken,
        EVENTS_PUBLISH_TOKEN: eventsToken,
        EVENTS_URL: options.redisUrl === undefined ? base(ports.subscriptions) : undefined,
        // A development platform: the development agencies, systems and services, written only into an empty registry.
        REGISTRY_SEED: options.env?.REGISTRY_SEED ?? 'development',
        // …whose systems answer health checks at the simulator's fake agency-system endpoints (monitoring pulls them).
        REGISTRY_SEED_HEALTH_URL: options.env?.REGISTRY_SEED_HEALTH_URL ?? base(ports.simulator),
        // Systems' credentials are clients made through Keycloak's Admin REST API (the development issuer's here) by
        // the realm's `lgsp-registry` client; a real Keycloak's admin secret comes in `env`.
        KEYCLOAK_ADMIN_URL:
          options.env?.KEYCLOAK_ADMIN_URL ?? (options.keycloakUrl !== undefined ? new URL(options.keycloakUrl).origin : base(ports.devIssuer)),
        KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: options.env?.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE ?? join(repoRoot, 'keycloak/dev-credentials/lgsp-registry.secret'),
      },
      readyUrl: `${base(ports.registry)}/health/ready`,
    },
    {
      name: 'monitoring',
      main: 'subgraphs/monitoring/src/main.ts',
      env: {
        ...common,
        PORT: String(ports.monitoring),
        // It holds the log (memory without Redis) and serves it to the others; it never posts to itself.
        MONITORING_URL: undefined,
        ...registryAccess,
        EVENTS_PUBLISH_TOKEN: eventsToken,
        EVENTS_URL: options.redisUrl === undefined ? base(ports.subscriptions) : undefined,
        // The relay's presence beside the systems' health: from Redis when they share it, else the relay's internal API.
        HEALTH_PRESENCE: options.redisUrl === undefined ? 'http' : 'redis',
        RELAY_URL: options.redisUrl === undefined ? base(ports.relay) : undefined,
        // Reports' download links point at the gateway (which streams /reports/ to monitoring), at its public origin.
        REPORT_PUBLIC_URL: options.env?.REPORT_PUBLIC_URL ?? options.publicUrl ?? base(ports.gateway),
      },
      readyUrl: `${base(ports.monitoring)}/health/ready`,
    },
    {
      name: 'catalogs',
      main: 'subgraphs/catalogs/src/main.ts',
      env: {
        ...common,
        PORT: String(ports.catalogs),
        ...registryAccess,
        EVENTS_PUBLISH_TOKEN: eventsToken,
        EVENTS_URL: options.redisUrl === undefined ? base(ports.subscriptions) : undefined,
      },
      readyUrl: `${base(ports.catalogs)}/health/ready`,
    },
    {
      name: 'national-data',
      main: 'subgraphs/national-data/src/main.ts',
      env: {
        ...common,
        PORT: String(ports.nationalData),
        NATIONAL_PLATFORM_URL: base(ports.simulator),
        // The simulator's test environment: test credentials (lgsp_environment "test") are served from it only.
        NATIONAL_PLATFORM_TEST_URL: `${base(ports.simulator)}/test`,
      },
      readyUrl: `${base(ports.nationalData)}/health/ready`,
    },
    {
      name: 'relay',
      main: 'subgraphs/relay/src/main.ts',
      // As the gateway's: fewer scavenges of the many short-lived objects per packet (A/B on the packets bench:
      // relay CPU per packet -12 %).
      nodeArgs: ['--max-semi-space-size=64'],
      // Upload and download URLs point at the gateway, the only public entry point, which streams /exchange/ through
      // (at its public origin when one is given); or at an ingress in front of it that sends /exchange/ to the relay
      // (RELAY_PUBLIC_URL in `env`).
      env: {
        ...common,
        PORT: String(ports.relay),
        RELAY_PUBLIC_URL: options.env?.RELAY_PUBLIC_URL ?? options.publicUrl ?? base(ports.gateway),
        ...relayKeys,
        ...registryAccess,
        EVENTS_PUBLISH_TOKEN: eventsToken,
        // Without Redis the topics live in the subscriptions process: the relay posts its events there.
        EVENTS_URL: options.redisUrl === undefined ? base(ports.subscriptions) : undefined,
      },
      readyUrl: `${base(ports.relay)}/health/ready`,
    },
    {
      name: 'subscriptions',
      main: 'subgraphs/subscriptions/src/main.ts',
      env: { ...common, PORT: String(ports.subscriptions), EVENTS_PUBLISH_TOKEN: eventsToken, RELAY_URL: base(ports.relay) },
      readyUrl: `${base(ports.subscriptions)}/health/ready`,
    },
    {
      name: 'gateway',
      main: 'gateway/src/main.ts',
      // A larger young generation: the gateway allocates many short-lived objects per request, and fewer
      // scavenges measurably raise its throughput (bench/README.md).
      nodeArgs: ['--max-semi-space-size=64'],
      env: {
        ...common,
        PORT: String(ports.gateway),
        SUBGRAPH_CATALOGS_URL: `${base(ports.catalogs)}/graphql`,
        SUBGRAPH_NATIONAL_DATA_URL: `${base(ports.nationalData)}/graphql`,
        SUBGRAPH_RELAY_URL: `${base(ports.relay)}/graphql`,
        SUBGRAPH_SUBSCRIPTIONS_URL: `${base(ports.subscriptions)}/graphql`,
        SUBGRAPH_REGISTRY_URL: `${base(ports.registry)}/graphql`,
        SUBGRAPH_MONITORING_URL: `${base(ports.monitoring)}/graphql`,
        REGISTRY_INTERNAL_URL: base(ports.registry),
        REGISTRY_INTERNAL_TOKEN: registryToken,
      },
      readyUrl: `${base(ports.gateway)}/health/ready`,
    },
  ];

  const children = new Map<ServiceName, ChildProcess>();
  let closing = false;

  const launch = async (spec: ServiceSpec): Promise<void> => {
    const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), ...(options.nodeArgs?.[spec.name] ?? []), '--import', 'tsx', join(repoRoot, spec.main)], {
      cwd: repoRoot,
      env: childEnv(spec.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(spec.name, child);
    const stderrTail: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (stream === child.stderr) {
          stderrTail.push(line);
          if (stderrTail.length > 20) stderrTail.shift();
        }
        options.output?.(spec.name, line);
      });
    }
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`${spec.name} exited with code ${String(code)} before it was ready${stderrTail.length ? `:\n${stderrTail.join('\n')}` : ''}`);
    });
    child.on('exit', (code, signal) => {
      if (!closing && children.get(spec.name) === child && code !== 0 && signal === null) {
        options.output?.(spec.name, `exited with code ${String(code)}`);
      }
    });
    await Promise.race([waitForOk(spec.readyUrl, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, spec.name), exited]);
  };

  const stopOne = async (name: ServiceName): Promise<void> => {
    const child = children.get(name);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const done = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await done;
    clearTimeout(timer);
  };

  const close = async () => {
    closing = true;
    await Promise.all([...children.keys()].reverse().map(stopOne));
  };

  try {
    // The simulator, the registry, monitoring (it holds the audit log the others append to without Redis),
    // subscriptions and the issuer first; catalogs and the relay read the registry's agencies as they start,
    // national-data needs the simulator; the gateway's readiness needs every subgraph.
    // Subgraphs fetch the gateway's JWKS lazily, at their first call.
    const spec = (name: ServiceName) => specs.find((s) => s.name === name)!;
    await Promise.all([
      launch(spec('simulator')),
      launch(spec('registry')),
      launch(spec('monitoring')),
      launch(spec('subscriptions')),
      ...(options.keycloakUrl === undefined ? [launch(devIssuer)] : []),
    ]);
    await Promise.all([launch(spec('catalogs')), launch(spec('relay')), launch(spec('national-data'))]);
    await launch(spec('gateway'));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    urls: {
      gateway: `${base(ports.gateway)}/graphql`,
      gatewayWs: `ws://${host}:${ports.gateway}/graphql`,
      health: `${base(ports.gateway)}/health/ready`,
      metrics: `${base(ports.gateway)}/metrics`,
      catalogs: `${base(ports.catalogs)}/graphql`,
      nationalData: `${base(ports.nationalData)}/graphql`,
      relay: `${base(ports.relay)}/graphql`,
      subscriptions: `${base(ports.subscriptions)}/graphql`,
      registry: `${base(ports.registry)}/graphql`,
      monitoring: `${base(ports.monitoring)}/graphql`,
      simulator: base(ports.simulator),
      issuer,
    },
    registryInternal: { url: base(ports.registry), token: registryToken },
    monitoringInternal: { url: base(ports.monitoring), token: monitoringToken },
    stop: stopOne,
    async restart(name) {
      await stopOne(name);
      await launch([...specs, devIssuer].find((s) => s.name === name)!);
    },
    close,
  };
}

/**
 * A service's environment: this process's, with the service's settings over it. A setting given as `undefined` is
 * removed, not inherited: a platform started without Redis must not pick up the REDIS_URL of the shell (or of
 * `npm test`) and write to a Redis nobody cleans.
 */
function childEnv(settings: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

async function waitForOk(url: string, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${name} not ready at ${url} within ${timeoutMs} ms (${last})`);
}
