/** Helpers shared by the edXML tests (not part of the module's API). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEdxml, parseEdxmlStream, type ParseEdxmlOptions } from './parse.ts';
import type { EdxmlPacket } from './types.ts';
import type { TableInput } from './inline.table.ts';
import type { EdxmlStatusInput } from './status-builder.ts';

/**
 * The third-party edXML material the interoperability tests (`*.interop.test.ts`) read in place — it may not be
 * redistributed, so it is never copied into the repository: `$LGSP_REFERENCE_DATA/edxml/`. Where that folder is and
 * what its default is, is decided once, by `npm run test:interop` (scripts/test-interop.ts), which sets the variable
 * to an absolute path for the test processes. Throws, naming the variable, when it is unset or the folder is missing:
 * an interop test never passes without its data.
 */
export function referenceEdxmlData(): URL {
  const given = process.env.LGSP_REFERENCE_DATA;
  if (given === undefined || given === '') {
    throw new Error('LGSP_REFERENCE_DATA is not set: run the interoperability tests with npm run test:interop, which sets it');
  }
  const folder = resolve(given, 'edxml');
  if (!existsSync(folder)) {
    throw new Error(
      `the edXML reference data is missing: ${folder} does not exist (set LGSP_REFERENCE_DATA to the folder holding edxml/; npm run test:interop)`,
    );
  }
  return pathToFileURL(`${folder}/`);
}

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

/** A status packet's input as a recipient's office would send it (the status builder's tests, own and interop). */
export const sampleStatusInput: EdxmlStatusInput = {
  from: {
    organId: '000.00.00.H41',
    organName: 'UBND Tỉnh Nghệ An',
    organizationInCharge: 'UBND Tỉnh Nghệ An',
    email: 'nghean@gov.vn',
    organAdd: 'Số 03, đường Trường Thi & "Vinh" <Nghệ An>',
  },
  responseFor: { organId: '000.00.00.G22', code: '7816/VPCP-TTĐT', promulgationDate: '2015-09-30', documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT' },
  staffInfo: { department: 'Văn thư', staff: 'Nguyễn Văn A', email: 'vanthu@example.gov.vn', mobile: '84912000001' },
  statusCode: '03',
  description: 'Đã tiếp nhận, vào sổ văn bản đến',
  timestamp: new Date('2015-09-20T04:08:36Z'),
};
