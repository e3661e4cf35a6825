/** The request id travels from the gateway to every subgraph in this header, and appears on every log line. */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's request id when it is a sane token; otherwise makes a new one (ids end up in logs). */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && acceptable.test(value) ? value : randomUUID();
}
