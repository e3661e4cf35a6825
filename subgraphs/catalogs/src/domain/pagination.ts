/** Relay-style connections over an in-memory, ordered list. */
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { CursorCodec } from './cursor.ts';

export const MAX_PAGE_SIZE = 100;

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/** Checks `first`: 0–100. */
export function checkPageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0)
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `first must be an integer from 0 to ${MAX_PAGE_SIZE} (got ${size})`, { argument: 'first' });
  if (size > MAX_PAGE_SIZE)
    throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `first must be at most ${MAX_PAGE_SIZE} (got ${size})`, { argument: 'first', limit: MAX_PAGE_SIZE });
  return size;
}

/** Where a listing starts: the version and offset from `after`, or the given version from the start. */
export function startOf(codec: CursorCodec, scope: string, after: string | null | undefined): { version: number; start: number } | null {
  if (after === undefined || after === null) return null;
  const { version, offset } = codec.decode(scope, after);
  return { version, start: offset + 1 };
}

export function toConnection<T>(
  items: readonly T[],
  options: { codec: CursorCodec; scope: string; version: number; start: number; first: number },
): Connection<T> {
  const { codec, scope, version, start, first } = options;
  const slice = items.slice(start, start + first);
  const edges = slice.map((node, i) => ({ cursor: codec.encode(scope, { version, offset: start + i }), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: items.length,
  };
}
