/** The notices as the gateway starts them: from the registry when REGISTRY_INTERNAL_URL is set, else none. */
import type { Logger } from '@lgsp/kit';
import type { DeprecationConfig } from './config.ts';
import { fixedNotices, type DeprecationNotices } from './notices.ts';
import { createRegistryNotices } from './registry-notices.ts';

export async function startDeprecationNotices(config: DeprecationConfig, logger: Logger): Promise<DeprecationNotices> {
  if (config.registryUrl === undefined || config.registryToken === undefined) return fixedNotices();
  return createRegistryNotices({ registryUrl: config.registryUrl, token: config.registryToken, pollMs: config.pollMs, timeoutMs: config.timeoutMs, logger });
}
