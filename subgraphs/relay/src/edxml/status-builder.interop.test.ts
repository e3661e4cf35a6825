/**
 * Interoperability of the status builder with third-party material read from LGSP_REFERENCE_DATA
 * (`npm run test:interop`): the VPCP sample status packet and the edxml-convert request.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { EdxmlError } from './errors.ts';
import { toEdxmlStatus, type EdxmlStatusInput } from './status-builder.ts';
import { referenceEdxmlData } from './testing.ts';

const EDXML_DATA = referenceEdxmlData();

const input: EdxmlStatusInput = {
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

describe('toEdxmlStatus against the real samples', () => {
  it('has the shape of the VPCP sample status packet (same elements, same order)', async () => {
    const sample = await readFile(new URL('samples/all4u1089-truclienthong-example/status_acceptance_03.edxml', EDXML_DATA), 'utf8');
    const elementNames = (xml: string): string[] => [...xml.matchAll(/<(edXML:[A-Za-z]+|edXML)\b/g)].map((m) => m[1]!);
    const order = (names: string[]): string[] =>
      names.filter(
        (n) =>
          ![
            'edXML:OrganizationInCharge',
            'edXML:OrganName',
            'edXML:Department',
            'edXML:Staff',
            'edXML:Mobile',
            'edXML:Email',
            'edXML:PromulgationDate',
            'edXML:DocumentId',
          ].includes(n),
      );
    assert.deepEqual(order(elementNames(toEdxmlStatus(input))), order(elementNames(sample)));
  });

  it('status_req.json of edxml-convert holds placeholders, not a packet: its values are refused', async () => {
    // The community request names the same fields (checked in json-mapping.interop.test.ts) but with placeholder values
    // ("from_organid", "statuscode"); it describes no real packet, so there is no value-for-value comparison.
    const request = JSON.parse(await readFile(new URL('json-mapping/tungsfer512-edxml-convert/status_req.json', EDXML_DATA), 'utf8')) as Record<string, string>;
    assert.throws(
      () => toEdxmlStatus({ ...input, from: { organId: request.from_organid! }, statusCode: request.statuscode! }),
      (error: unknown) => error instanceof EdxmlError && error.code === 'EDXML_INVALID_STATUS_CODE',
    );
  });
});
