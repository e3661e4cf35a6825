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
export type NoticesReadOutcome = 'updated' | 'unchanged' | 'not-modified' | 'failed';

export interface RegistryNotices extends DeprecationNotices {
  /** Reads now (the poll calls this); never throws. */
  refresh(): Promise<NoticesReadOutcome>;
}

/** Starts reading; resolves after the first read, whether it succeeded or not. */
export async function createRegistryNotices(options: RegistryNoticesOptions): Promise<RegistryNotices> {
  const logger = options.logger.child({ component: 'deprecation-notices' });
  const url = new URL(NOTICES_PATH, options.registryUrl).toString();
  const changes = new EventEmitter();
  let notices: readonly DeprecationNotice[] = [];
  let etag: string | undefined;
  let running: Promise<NoticesReadOutcome> | undefined;
  let failing = false;

  const read = async (): Promise<NoticesReadOutcome> => {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', ...(etag !== undefined && { 'if-none-match': etag }) },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      return failed(`the registry did not answer (${(error as Error).message})`);
    }
    if (response.status === 304) {
      await response.body?.cancel();
      return recovered('not-modified');
    }
    if (!response.ok) {
      await response.body?.cancel();
      return failed(`the registry answered HTTP ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return failed('the registry answered with a body that is not JSON');
    }
    const items = (body as { items?: unknown } | null)?.items;
    if (!Array.isArray(items)) return failed('the registry answered without an items list');
    const next: DeprecationNotice[] = [];
    for (const item of items) {
      try {
        next.push(parseNotice(item));
      } catch (error) {
        logger.warn({ id: (item as { id?: unknown } | null)?.id, problem: (error as Error).message }, 'a deprecation notice from the registry is left out');
      }
    }
    etag = response.headers.get('etag') ?? undefined;
    if (noticesKey(next) === noticesKey(notices)) return recovered('unchanged');
    notices = next;
    logger.info({ notices: next.map((n) => n.coordinate) }, 'deprecation notices updated');
    changes.emit('change');
    return recovered('updated');
  };

  function failed(problem: string): NoticesReadOutcome {
    // Once per outage, not every poll.
    if (!failing) logger.warn({ url, problem }, 'deprecation notices could not be read; the last ones read stay in force');
    failing = true;
    return 'failed';
  }
  function recovered(outcome: NoticesReadOutcome): NoticesReadOutcome {
    if (failing) logger.info({ url }, 'deprecation notices read again');
    failing = false;
    return outcome;
  }

  const refresh = (): Promise<NoticesReadOutcome> => {
    running ??= read().finally(() => {
      running = undefined;
    });
    return running;
  };

  await refresh();
  const poll = setInterval(() => void refresh(), options.pollMs);
  poll.unref();
  return {
    current: () => notices,
    onChange(listener) {
      changes.on('change', listener);
      return () => changes.off('change', listener);
    },
    refresh,
    async close() {
      clearInterval(poll);
      changes.removeAllListeners();
      await running;
    },
  };
}
