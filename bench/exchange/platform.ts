/**
 * The platform the exchange parts run against: `startPlatform` (scripts/platform.ts, what `npm start` and the
 * end-to-end tests run) — every service as its own process on free loopback ports — with Redis under a key prefix
 * of the run (deleted afterwards) or on the in-memory stores, plus what the parts need around it: the processes'
 * ids (for RSS and CPU from /proc), access tokens of development agency systems, and internal tokens for calling
 * the relay directly as the gateway does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { freePort, startPlatform, type RunningPlatform } from '../../scripts/platform.ts';
import { developmentClientToken } from '../../keycloak/src/dev-clients.ts';
import { connectRedis, createInternalTokenIssuer, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { DEVELOPMENT_GRANTS_FILE } from '../citizens/platform.ts';

/** Agency systems of the development realm used as senders, recipients and subscribers (client id → agency code). */
export const AGENCY_SYSTEMS = [
  { client: 'sotaichinh-h41-dkkd', agency: '000.00.03.H41' },
  { client: 'sotuphap-h41-hotich', agency: '000.00.04.H41' },
  { client: 'congan-h41-dancu', agency: '000.00.02.H41' },
  { client: 'bvhndk-h41-his', agency: '000.01.05.H41' },
] as const;

export type ServiceProcess = 'gateway' | 'relay' | 'subscriptions' | 'dev-issuer' | 'simulator' | 'catalogs' | 'national-data';

export interface BenchPlatform {
  running: RunningPlatform;
  redis: boolean;
  /** Origins: the gateway (public entry, also of `/exchange/`) and the relay subgraph (direct). */
  gatewayOrigin: string;
  relayOrigin: string;
  /** ws://…/graphql of the gateway. */
  gatewayWsUrl: string;
  /** Process id of each service (children of this process, found in /proc by their entry file). */
  pids: Partial<Record<ServiceProcess, number>>;
  redisUrl: string | undefined;
  keyPrefix: string;
  /** An access token of a development agency system (fresh from the issuer; they last 5 minutes). */
  accessToken(clientId: string): Promise<string>;
  /** The internal token the gateway would send to the relay for this agency system (direct calls). */
  internalToken(clientId: string): Promise<string>;
  /** Whether the supergraph and the platform carry the subscriptions subgraph. */
  hasSubscriptions: boolean;
  close(): Promise<void>;
}

const ENTRIES: Record<ServiceProcess, string> = {
  gateway: 'gateway/src/main.ts',
  relay: 'subgraphs/relay/src/main.ts',
  subscriptions: 'subgraphs/subscriptions/src/main.ts',
  'dev-issuer': 'keycloak/src/main.ts',
  simulator: 'simulator/src/main.ts',
  catalogs: 'subgraphs/catalogs/src/main.ts',
  'national-data': 'subgraphs/national-data/src/main.ts',
};

/** The children of this process by the entry file on their command line. */
async function childPids(): Promise<Partial<Record<ServiceProcess, number>>> {
  const found: Partial<Record<ServiceProcess, number>> = {};
  for (const pid of await childProcesses(process.pid)) {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    for (const [service, entry] of Object.entries(ENTRIES) as [ServiceProcess, string][]) {
      if (cmdline.some((arg) => arg.endsWith(entry))) found[service] = pid;
    }
  }
  return found;
}

/** Resident set size of a process in bytes (VmRSS), or undefined when it is gone. */
export async function rssBytes(pid: number): Promise<number | undefined> {
  let own: number | undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    own = match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
  // With its workers (the relay's RELAY_WORKERS): the memory of the service is theirs too.
  for (const child of await childProcesses(pid)) own = own === undefined ? undefined : own + ((await rssBytes(child)) ?? 0);
  return own;
}

/** Live child processes of `pid` (from /proc). */
export async function childProcesses(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (stat !== '' && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(name));
  }
  return children;
}

/** Platforms started and not yet closed, so that an interrupted run can stop them (`stopAllPlatforms`). */
const livePlatforms = new Set<BenchPlatform>();

/** Closes every platform still running (its processes, its Redis keys). */
export async function stopAllPlatforms(): Promise<void> {
  await Promise.all([...livePlatforms].map((p) => p.close().catch(() => undefined)));
}

/** Kills every platform process at once (SIGKILL), synchronously: for a second Ctrl+C or a hung run. */
export function killAllPlatforms(): void {
  for (const platform of livePlatforms) {
    for (const pid of Object.values(platform.pids)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Deletes every key of the run (its prefix) from Redis. */
async function deleteKeys(redisUrl: string, keyPrefix: string): Promise<void> {
  const redis = await connectRedis(redisUrl);
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await redis.unlink(keys);
    }
  } finally {
    await redis.quit();
  }
}

export interface PlatformSettings {
  redis: boolean;
  workDir: string;
  /** Extra environment for every service (limits for the WebSocket parts). */
  env?: Record<string, string>;
  log: (line: string) => void;
  /** When set, the gateway, the relay and the subscriptions service run with `--cpu-prof`, into `<dir>/<service>`. */
  profileDir?: string | undefined;
}

/**
 * RELAY_WORKERS of the platform on Redis: BENCH_RELAY_WORKERS, default 1. On this 2-core machine 2 workers help the
 * direct rows and not the gateway rows, where the gateway, Redis and the load generator want the second core too.
 */
export function relayWorkers(): string {
  return process.env.BENCH_RELAY_WORKERS ?? '1';
}

/** The services part (c) profiles with `--cpu-prof` (`npm run bench -- --cpu-prof`). */
export const PROFILED_SERVICES = ['gateway', 'relay', 'subscriptions'] as const;

export async function startBenchPlatform(settings: PlatformSettings): Promise<BenchPlatform> {
  const keyPrefix = `lgsp-bench:${randomUUID().slice(0, 8)}:`;
  const redisUrl = settings.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
  // One signing key for the gateway's internal tokens, so that the harness can sign the same tokens for direct calls.
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const keyFile = join(settings.workDir, `gateway-signing-key-${randomUUID().slice(0, 8)}.json`);
  await writeFile(keyFile, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
  const issuerOfInternalTokens: InternalTokenIssuer = await createInternalTokenIssuer({ ttlSeconds: 600, privateJwkFile: keyFile });

  const ports = {
    gateway: await freePort(),
    catalogs: await freePort(),
    nationalData: await freePort(),
    relay: await freePort(),
    simulator: await freePort(),
    devIssuer: await freePort(),
    subscriptions: await freePort(),
    registry: await freePort(),
    monitoring: await freePort(),
  };
  const logs: string[] = [];
  const running = await startPlatform({
    ports,
    redisUrl,
    // NODE_ENV=development as the end-to-end tests run it (production refuses the simulator's and national-data's
    // development credentials); the relay still gets a master key and URL secret as in production; quiet logs.
    env: {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      REDIS_KEY_PREFIX: keyPrefix,
      GATEWAY_SIGNING_KEY_FILE: keyFile,
      GRANTS_FILE: DEVELOPMENT_GRANTS_FILE,
      RELAY_MASTER_KEY: randomBytes(32).toString('hex'),
      RELAY_URL_SECRET: randomBytes(32).toString('hex'),
      EVENTS_PUBLISH_TOKEN: randomBytes(32).toString('hex'),
      // Relay processes on its port (BENCH_RELAY_WORKERS, default 1 as `npm start`; on Redis only: in-memory stores
      // cannot be shared).
      ...(settings.redis && { RELAY_WORKERS: relayWorkers() }),
      ...settings.env,
    },
    output: (service, line) => {
      logs.push(`[${service}] ${line}`);
      if (logs.length > 100) logs.shift();
      if (process.env.BENCH_VERBOSE === '1') process.stderr.write(`[${service}] ${line}\n`);
    },
    readyTimeoutMs: 90_000,
    ...(settings.profileDir !== undefined && {
      nodeArgs: Object.fromEntries(PROFILED_SERVICES.map((service) => [service, ['--cpu-prof', `--cpu-prof-dir=${join(settings.profileDir!, service)}`]])),
    }),
  }).catch(async (error: Error) => {
    // Services that came up before the failure may have written keys already.
    if (redisUrl !== undefined) await deleteKeys(redisUrl, keyPrefix).catch(() => undefined);
    throw new Error(`${error.message}\n${logs.slice(-30).join('\n')}`);
  });

  const gatewayOrigin = new URL(running.urls.gateway).origin;
  const relayOrigin = new URL(running.urls.relay).origin;
  const pids = await childPids();
  const supergraph = await readFile(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
  const hasSubscriptions = pids.subscriptions !== undefined && /join__Graph[\s\S]*SUBSCRIPTIONS/.test(supergraph);

  const principalOf = async (clientId: string): Promise<Principal> => {
    const system = AGENCY_SYSTEMS.find((s) => s.client === clientId);
    if (system === undefined) throw new Error(`no agency system ${clientId} in the bench's list`);
    return { kind: 'system', agencyCode: system.agency, systemId: clientId, clientId, roles: [], scopes: [] };
  };

  const platform: BenchPlatform = {
    running,
    redis: settings.redis,
    gatewayOrigin,
    relayOrigin,
    gatewayWsUrl: `${gatewayOrigin.replace(/^http/, 'ws')}/graphql`,
    pids,
    redisUrl,
    keyPrefix,
    hasSubscriptions,
    async accessToken(clientId) {
      const token = await developmentClientToken(running.urls.issuer, clientId);
      // The bench publishes to and addresses agencies by code: make sure the realm gives the client the code listed here.
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { agency_code?: string };
      const listed = AGENCY_SYSTEMS.find((s) => s.client === clientId)?.agency;
      if (listed !== undefined && claims.agency_code !== listed)
        throw new Error(`${clientId}: the realm gives agency_code ${String(claims.agency_code)}, bench/exchange/platform.ts lists ${listed}`);
      return token;
    },
    internalToken: async (clientId) => issuerOfInternalTokens.tokenFor(await principalOf(clientId)),
    async close() {
      livePlatforms.delete(platform);
      await running.close();
      if (redisUrl !== undefined) await deleteKeys(redisUrl, keyPrefix);
    },
  };
  livePlatforms.add(platform);
  return platform;
}
