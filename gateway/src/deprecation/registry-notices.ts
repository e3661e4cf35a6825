/**
 * The notices from the registry's internal API: `GET <REGISTRY_INTERNAL_URL>/internal/v1/notices` with
 * `Authorization: Bearer <REGISTRY_INTERNAL_TOKEN>`, answered `{ "version": n, "items": DeprecationNotice[] }` with
 * ETag `"<version>"`. Read once at start-up (the gateway serves without notices when the registry does not answer
 * yet), then every DEPRECATION_NOTICES_POLL_MS with `If-None-Match` (304: nothing changed, nothing parsed).
 *
 * A failed read (registry down, 401, a body that is not a notice list) keeps the notices already read, and is
 * logged as a warning; an item that does not read as a notice is left out (and logged), the others apply.
 */
import type { Logger } from '@lgsp/kit';
import { EventEmitter } from 'node:events';
import { startRegistryList, type RegistryListReadOutcome } from '../registry/registry-list.ts';
import { noticesKey, parseNotice, type DeprecationNotice, type DeprecationNotices } from './notices.ts';

/** The path of the notices on the registry's internal API. */
export const NOTICES_PATH = '/internal/v1/notices';

export interface RegistryNoticesOptions {
  /** The registry's origin (REGISTRY_INTERNAL_URL), e.g. http://127.0.0.1:4105. */
  registryUrl: string;
  /** REGISTRY_INTERNAL_TOKEN. */
  token: string;
  /** DEPRECATION_NOTICES_POLL_MS. */
  pollMs: number;
  /** How long one read may take. */
  timeoutMs: number;
  logger: Logger;
}

/** What the last read did (tests, diagnostics). */
export type NoticesReadOutcome = RegistryListReadOutcome;

export interface RegistryNotices extends DeprecationNotices {
  /** Reads now (the poll calls this); never throws. */
  refresh(): Promise<NoticesReadOutcome>;
}

/** Starts reading; resolves after the first read, whether it succeeded or not. */
export async function createRegistryNotices(options: RegistryNoticesOptions): Promise<RegistryNotices> {
  const changes = new EventEmitter();
  const list = await startRegistryList<DeprecationNotice>({
    ...options,
    logger: options.logger.child({ component: 'deprecation-notices' }),
    path: NOTICES_PATH,
    items: 'deprecation notices',
    parse: parseNotice,
    key: noticesKey,
    summary: (notices) => notices.map((n) => n.coordinate),
    onUpdate: () => changes.emit('change'),
  });
  return {
    current: list.current,
    onChange(listener) {
      changes.on('change', listener);
      return () => changes.off('change', listener);
    },
    refresh: list.refresh,
    async close() {
      changes.removeAllListeners();
      await list.close();
    },
  };
}
