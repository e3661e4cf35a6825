/** Helpers shared by the edXML tests (not part of the module's API). */
import { parseEdxml, parseEdxmlStream, type ParseEdxmlOptions } from './parse.ts';
import type { EdxmlPacket } from './types.ts';
import type { TableInput } from './inline.table.ts';

/** The data folder, read in place (never copied): <repo>/../shared/data/edxml/. */
export const EDXML_DATA = new URL('../../../../../shared/data/edxml/', import.meta.url);

export async function parseInput(input: TableInput, options?: ParseEdxmlOptions): Promise<EdxmlPacket> {
  return typeof input === 'function' ? parseEdxmlStream(input(), options) : parseEdxml(input, options);
}

/** `get(packet, 'to.0.organId')`; `length` works on arrays. */
export function get(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Pieces of `bytes` of the given size, as a stream would deliver them. */
export async function* inPieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
