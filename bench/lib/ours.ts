/**
 * Where the harness finds the parts it benchmarks but does not own. They are imported dynamically, so the
 * benchmark still runs (and says what it skipped) while one of them does not exist yet.
 */
import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const OURS_GATEWAY_MODULE = new URL('../../gateway/src/server.ts', import.meta.url);
/** Where `gatewayConfigFromEnv` lives when `server.ts` does not re-export it. */
export const OURS_CONFIG_MODULE = new URL('../../gateway/src/config.ts', import.meta.url);

/** The shape the harness relies on: `startGateway(gatewayConfigFromEnv(process.env))` → `{ url, port, close }`. */
export interface OursGatewayModule {
  gatewayConfigFromEnv(env: NodeJS.ProcessEnv): unknown;
  startGateway(config: unknown): Promise<{ url: string; port: number; close(): Promise<void> }>;
}

/** Reasons why our gateway cannot be benchmarked (empty when it can). */
export async function oursGatewayMissing(): Promise<string[]> {
  const path = fileURLToPath(OURS_GATEWAY_MODULE);
  try {
    await access(path);
  } catch {
    return [`${path} does not exist yet`];
  }
  const source = await readFile(path, 'utf8');
  const configSource = await readFile(fileURLToPath(OURS_CONFIG_MODULE), 'utf8').catch(() => '');
  const exports = (text: string, name: string) => new RegExp(`export\\s+(async\\s+)?(function|const)\\s+${name}\\b|export\\s*\\{[^}]*\\b${name}\\b`).test(text);
  const missing: string[] = [];
  if (!exports(source, 'startGateway')) missing.push(`${path} does not export startGateway`);
  if (!exports(source, 'gatewayConfigFromEnv') && !exports(configSource, 'gatewayConfigFromEnv'))
    missing.push('no gatewayConfigFromEnv in gateway/src/server.ts or config.ts');
  return missing;
}

/** Loads our gateway's start function and its configuration reader. */
export async function loadOursGateway(): Promise<OursGatewayModule> {
  const server = (await import(OURS_GATEWAY_MODULE.href)) as Partial<OursGatewayModule>;
  const gatewayConfigFromEnv = server.gatewayConfigFromEnv ?? ((await import(OURS_CONFIG_MODULE.href)) as OursGatewayModule).gatewayConfigFromEnv;
  return { gatewayConfigFromEnv, startGateway: server.startGateway! };
}

/** Whether the gateway source mentions an environment variable (used to decide which variants to run). */
export async function oursGatewayMentions(name: string): Promise<boolean> {
  const dir = fileURLToPath(new URL('../../gateway/src/', import.meta.url));
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of files) {
    if ((await readFile(`${dir}${file}`, 'utf8')).includes(name)) return true;
  }
  return false;
}
