import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { EdxmlError } from './errors.ts';
import { parseEdxml } from './parse.ts';
import { toEdxmlStatus, type EdxmlStatusInput } from './status-builder.ts';
import { sampleStatusInput } from './testing.ts';
import { EDXML_STATUS_CODES } from './values.ts';

const input = sampleStatusInput;

describe('toEdxmlStatus', () => {
  it('round-trips: build → parse gives the same values, with no warning', () => {
    const packet = parseEdxml(toEdxmlStatus(input), { expectedKind: 'status', strict: true });
    assert.ok(packet.kind === 'status');
    assert.deepEqual(packet.warnings, []);
    assert.equal(packet.dialect, 'qcvn-102-2016');
    assert.deepEqual(packet.from, {
      organId: '000.00.00.H41',
      organizationInCharge: 'UBND Tỉnh Nghệ An',
      organName: 'UBND Tỉnh Nghệ An',
      organAdd: 'Số 03, đường Trường Thi & "Vinh" <Nghệ An>',
      email: 'nghean@gov.vn',
      telephone: null,
      fax: null,
      website: null,
    });
    assert.deepEqual(packet.responseFor, {
      organId: '000.00.00.G22',
      code: '7816/VPCP-TTĐT',
      promulgationDate: { raw: '2015/09/30', iso: '2015-09-30' },
      documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT',
      documentIdInfo: {
        form: 'structured',
        organId: '000.00.00.G22',
        date: { raw: '2015/09/30', iso: '2015-09-30' },
        codeNumber: '7816',
        codeNotation: 'VPCP-TTĐT',
      },
    });
    assert.deepEqual(packet.staffInfo, input.staffInfo);
    assert.equal(packet.statusCode, '03');
    assert.equal(packet.description, input.description);
    // 04:08:36 UTC is 11:08:36 in Vietnam, written without a zone as every VPCP packet does.
    assert.deepEqual(packet.timestamp, { raw: '2015/09/20 11:08:36', iso: '2015-09-20T11:08:36+07:00' });
    assert.equal(new Date(packet.timestamp!.iso!).getTime(), input.timestamp!.getTime());
  });

  it('writes every status code, and reads "1" as "01"', () => {
    for (const code of Object.keys(EDXML_STATUS_CODES)) {
      const packet = parseEdxml(toEdxmlStatus({ ...input, statusCode: code }));
      assert.equal(packet.kind === 'status' && packet.statusCode, code);
    }
    assert.match(toEdxmlStatus({ ...input, statusCode: '1' }), /<edXML:StatusCode>01<\/edXML:StatusCode>/);
  });

  it('has the shape of a VPCP status packet (same elements, same order as packets/status_03_accepted.edxml)', async () => {
    const sample = await readFile(new URL('packets/status_03_accepted.edxml', import.meta.url), 'utf8');
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

  it('refuses input no receiver could accept', () => {
    const cases: Array<[Partial<EdxmlStatusInput>, string]> = [
      [{ statusCode: '07' }, 'EDXML_INVALID_STATUS_CODE'],
      [{ from: { organId: 'from_organid' } }, 'EDXML_INVALID_ORGAN_ID'],
      [{ responseFor: { ...input.responseFor, organId: '1.2.3.4.5' } }, 'EDXML_INVALID_ORGAN_ID'],
      [{ responseFor: { ...input.responseFor, promulgationDate: '2015-02-30' } }, 'EDXML_INVALID_DATE'],
      [{ responseFor: { ...input.responseFor, documentId: ' ', code: '' } }, 'EDXML_MISSING_ELEMENT'],
      [{ timestamp: new Date(Number.NaN) }, 'EDXML_INVALID_DATE'],
      [{ description: 'bell \u0007' }, 'EDXML_INVALID_VALUE'],
    ];
    for (const [change, code] of cases) {
      assert.throws(
        () => toEdxmlStatus({ ...input, ...change }),
        (error: unknown) => error instanceof EdxmlError && error.code === code,
        JSON.stringify(change),
      );
    }
  });
});
