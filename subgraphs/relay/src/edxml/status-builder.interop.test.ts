/**
 * Interoperability of the status builder with third-party material read from LGSP_REFERENCE_DATA
 * (`npm run test:interop`): the VPCP sample status packet and the edxml-convert request.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { EdxmlError } from './errors.ts';
import { toEdxmlStatus } from './status-builder.ts';
import { referenceEdxmlData, sampleStatusInput } from './testing.ts';

const EDXML_DATA = referenceEdxmlData();

const input = sampleStatusInput;

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
