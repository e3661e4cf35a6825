/**
 * A list the gateway reads from the registry's internal API and keeps: `GET <REGISTRY_INTERNAL_URL><path>` with
 * `Authorization: Bearer <REGISTRY_INTERNAL_TOKEN>`, answered `{ "version": n, "items": T[] }` with ETag
 * `"<version>"`. Read once at start-up (the gateway serves with an empty list when the registry does not answer
 * yet), then every `pollMs` with `If-None-Match` (304: nothing changed, nothing parsed).
 *
 * A failed read (registry down, 401, a body that is not a list) keeps the items already read and is logged as a
 * warning once per outage; an item that does not parse is left out (and logged), the others apply. The deprecation
 * notices (deprecation/registry-notices.ts) and the maintenance windows (maintenance/registry-schedule.ts) are such lists.
 */
import type { Logger } from '@lgsp/kit';

/** What the last read did (tests, diagnostics). */
export type RegistryListReadOutcome = 'updated' | 'unchanged' | 'not-modified' | 'failed';

export interface RegistryListOptions<T> {
  /** The registry's origin (REGISTRY_INTERNAL_URL), e.g. http://127.0.0.1:4105. */
  registryUrl: string;
  /** REGISTRY_INTERNAL_TOKEN. */
  token: string;
  /** The list's path on the internal API, e.g. `/internal/v1/notices`. */
  path: string;
  pollMs: number;
  /** How long one read may take. */
  timeoutMs: number;
  logger: Logger;
  /** What the items are, for log lines: `deprecation notices`, `maintenance windows`. */
  items: string;
  /** Reads one item; throws (with a message saying why) for an item to leave out. */
  parse(item: unknown): T;
  /** Two lists with the same key are the same (no update). */
  key(items: readonly T[]): string;
  /** What an update's log line says of the new items. */
  summary(items: readonly T[]): unknown;
  /** Called after the items changed. */
  onUpdate?: (items: readonly T[]) => void;
}

export interface RegistryList<T> {
  current(): readonly T[];
  /** Reads now (the poll calls this); never throws. */
  refresh(): Promise<RegistryListReadOutcome>;
  close(): Promise<void>;
}

/** Starts reading; resolves after the first read, whether it succeeded or not. */
export async function startRegistryList<T>(options: RegistryListOptions<T>): Promise<RegistryList<T>> {
  const { logger } = options;
  const url = new URL(options.path, options.registryUrl).toString();
  let items: readonly T[] = [];
  let etag: string | undefined;
  let running: Promise<RegistryListReadOutcome> | undefined;
  let failing = false;

  const failed = (problem: string): RegistryListReadOutcome => {
    if (!failing) logger.warn({ url, problem }, `${options.items} could not be read; the last ones read stay in force`);
    failing = true;
    return 'failed';
  };
  const recovered = (outcome: RegistryListReadOutcome): RegistryListReadOutcome => {
    if (failing) logger.info({ url }, `${options.items} read again`);
    failing = false;
    return outcome;
  };

  const read = async (): Promise<RegistryListReadOutcome> => {
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
    const list = (body as { items?: unknown } | null)?.items;
    if (!Array.isArray(list)) return failed('the registry answered without an items list');
    const next: T[] = [];
    for (const item of list) {
      try {
        next.push(options.parse(item));
      } catch (error) {
        logger.warn({ id: (item as { id?: unknown } | null)?.id, problem: (error as Error).message }, `an item of the ${options.items} is left out`);
      }
    }
    etag = response.headers.get('etag') ?? undefined;
    if (options.key(next) === options.key(items)) return recovered('unchanged');
    items = next;
    logger.info({ items: options.summary(next) }, `${options.items} updated`);
    options.onUpdate?.(next);
    return recovered('updated');
  };

  const refresh = (): Promise<RegistryListReadOutcome> => {
    running ??= read().finally(() => {
      running = undefined;
    });
    return running;
  };

  await refresh();
  const poll = setInterval(() => void refresh(), options.pollMs);
  poll.unref();
  return {
    current: () => items,
    refresh,
    async close() {
      clearInterval(poll);
      await running;
    },
  };
}
