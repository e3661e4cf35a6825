/**
 * Part (b): the 100-citizen query on the real platform — the national-platform simulator, the catalogs and
 * national-data subgraphs and the development identity provider (one process on the upstream CPU, started through
 * their own `start*` functions) — behind the stock gateway and ours.
 *
 * The caller is an agency system: every gateway gets `Authorization: Bearer <access token>` for the Police's
 * `congan-h41-dancu` client from the development issuer (a fresh token for each gateway's probe and load run) and
 * `X-LGSP-Purpose`. Ours verifies the token (KEYCLOAK_URL) and applies the development grants (GRANTS_FILE, named
 * because NODE_ENV=production has no default), which give the Police every field the query asks for; the stock
 * gateway ignores both headers. So the answers must still be byte-identical.
 *
 * Our subgraphs accept only calls carrying the gateway's internal token. Both gateways therefore sign with one
 * private key generated for this run: ours reads it from GATEWAY_SIGNING_KEY_FILE; the stock gateway gets a
 * `RemoteGraphQLDataSource` that adds a token signed with it (BENCH_SIGNING_KEY_FILE, see baseline-gateway.ts);
 * the subgraphs verify against the matching public key.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnPinned, REPO_ROOT } from '../lib/child.ts';
import type { GatewaySpec, Scenario } from '../lib/scenario.ts';
import { BENCH_CLIENT_ID, BENCH_PURPOSE, DEVELOPMENT_GRANTS_FILE, PLATFORM_MODULES } from './platform.ts';
import { CITIZENS_QUERY } from './query.ts';

/** Reasons part (b) cannot run yet (empty when it can). */
export async function citizensMissing(): Promise<string[]> {
  const missing: string[] = [];
  for (const url of Object.values(PLATFORM_MODULES)) {
    const path = fileURLToPath(url);
    try {
      await access(path);
    } catch {
      missing.push(`${path.slice(REPO_ROOT.length)} does not exist`);
    }
  }
  return missing;
}

export interface PlatformInfo {
  urls: { simulator: string; catalogs: string; nationalData: string };
  /** The development issuer's realm URL (…/realms/lgsp): KEYCLOAK_URL for our gateway. */
  issuer: string;
  controlUrl: string;
  /** Personal IDs of the 100 citizens the query asks for. */
  personalIds: string[];
}

export async function setUpCitizens(options: {
  upstreamCpu: string;
  workDir: string;
  gateways: (supergraphFile: string, extra: { baseline: Record<string, string>; ours: Record<string, string> }) => GatewaySpec[];
}): Promise<{ scenario: Scenario; close(): Promise<void> }> {
  // One signing key for the run, shared by both gateways; the subgraphs trust its public half.
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const keyFile = join(options.workDir, 'gateway-signing-key.json');
  await writeFile(keyFile, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });

  const platform = await spawnPinned<PlatformInfo>({
    cpu: options.upstreamCpu,
    entry: 'bench/citizens/platform-main.ts',
    label: 'platform',
    env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', BENCH_SIGNING_KEY_FILE: keyFile },
    readyTimeoutMs: 120_000,
  });
  try {
    const { composeSupergraph } = (await import(new URL('../../schema/src/composition.ts', import.meta.url).href)) as {
      composeSupergraph(sources: { name: string; url: string; schemaFile: string }[]): Promise<string>;
    };
    const { subgraphs } = (await import(new URL('../../schema/src/subgraphs.ts', import.meta.url).href)) as {
      subgraphs: { name: string; url: string; schemaFile: string }[];
    };
    const actualUrl: Record<string, string> = { catalogs: platform.info.urls.catalogs, 'national-data': platform.info.urls.nationalData };
    const supergraphSdl = await composeSupergraph(subgraphs.map((s) => ({ ...s, url: actualUrl[s.name] ?? s.url })));
    const supergraphFile = join(options.workDir, 'platform-supergraph.graphql');
    await writeFile(supergraphFile, supergraphSdl);
    const { developmentClientToken } = (await import(PLATFORM_MODULES.devClients.href)) as {
      developmentClientToken(issuerUrl: string, clientId: string): Promise<string>;
    };

    const scenario: Scenario = {
      id: 'citizens',
      title: '(b) 100 citizens with ward and ethnicity names (simulator → national-data → catalogs)',
      body: JSON.stringify({ query: CITIZENS_QUERY, variables: { ids: platform.info.personalIds } }),
      gateways: options.gateways(supergraphFile, {
        baseline: { BENCH_SIGNING_KEY_FILE: keyFile },
        ours: { GATEWAY_SIGNING_KEY_FILE: keyFile, KEYCLOAK_URL: platform.info.issuer, GRANTS_FILE: DEVELOPMENT_GRANTS_FILE },
      }),
      async requestHeaders() {
        const token = await developmentClientToken(platform.info.issuer, BENCH_CLIENT_ID);
        return { authorization: `Bearer ${token}`, 'x-lgsp-purpose': BENCH_PURPOSE };
      },
      upstreamPids: [platform.pid],
      async counters() {
        const response = await fetch(`${platform.info.controlUrl}/counters`, { signal: AbortSignal.timeout(10_000) });
        return (await response.json()) as Record<string, number>;
      },
      checkResponse(text) {
        const parsed = JSON.parse(text) as { data?: { citizens?: unknown[] | null }; errors?: unknown[] };
        if (parsed.errors !== undefined) return `it carries errors: ${JSON.stringify(parsed.errors).slice(0, 500)}`;
        const citizens = parsed.data?.citizens ?? [];
        if (citizens.length !== 100 || citizens.some((c) => c === null)) return 'expected 100 citizens, none null';
        return undefined;
      },
    };
    return { scenario, close: () => platform.stop() };
  } catch (error) {
    await platform.stop();
    throw error;
  }
}
