/**
 * Interoperability: the real third-party packets (see samples.table.ts), read in place from LGSP_REFERENCE_DATA.
 * Run by `npm run test:interop`, not by `npm test`; the project's own packets cover the same rules there.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { itParsesEveryPacket } from './testing/packet-rows.ts';
import { parseEdxml } from './parse.ts';
import { SAMPLE_ROWS } from './samples.table.ts';
import { referenceEdxmlData } from './testing.ts';

const SAMPLES = new URL('samples/', referenceEdxmlData());

describe('edXML: the real samples ($LGSP_REFERENCE_DATA/edxml/samples)', () => {
  itParsesEveryPacket(SAMPLES, SAMPLE_ROWS, 'samples.table.ts');

  it('the revocation sample carries its ResponseFor and the replacement sample its ReplacementInfoList', async () => {
    const revocation = parseEdxml(await readFile(new URL('all4u1089-truclienthong-example/edoc_revocation.redacted.edxml', SAMPLES)));
    assert.equal(revocation.kind, 'document');
    assert.deepEqual(revocation.kind === 'document' && revocation.responseFor, [
      {
        organId: '000.00.00.H14',
        code: '267/VPCP-TTĐT',
        promulgationDate: { raw: '2018/09/28', iso: '2018-09-28' },
        documentId: '000.00.04.G14,2012/08/06,267/VPCP-TTĐT',
        documentIdInfo: {
          form: 'structured',
          organId: '000.00.04.G14',
          date: { raw: '2012/08/06', iso: '2012-08-06' },
          codeNumber: '267',
          codeNotation: 'VPCP-TTĐT',
        },
      },
    ]);
    const replacement = parseEdxml(await readFile(new URL('all4u1089-truclienthong-example/edoc_replacement.redacted.edxml', SAMPLES)));
    assert.ok(replacement.kind === 'document');
    assert.deepEqual(replacement.business?.replacementInfoList, [
      { documentId: '000.00.00.G22,2014/01/30,7806/VPCP-TTĐT', organIdList: ['000.00.00.H41', '000.00.00.H14'] },
      { documentId: '000.00.00.G22,2014/01/30,7806/VPCP-TTĐT', organIdList: ['000.00.00.H41', '000.00.00.H14'] },
    ]);
    const update = parseEdxml(await readFile(new URL('all4u1089-truclienthong-example/edoc_update.redacted.edxml', SAMPLES)));
    assert.ok(update.kind === 'document');
    assert.deepEqual(update.business?.businessDocumentInfo?.receiverList, [
      { organId: '000.00.00.H41', receiverType: '0' },
      { organId: '000.00.00.H14', receiverType: '1' },
    ]);
    assert.equal(update.signature?.namespace, 'http://www.mic.gov.vn/TBT/QCVN_102_2016');
    assert.equal(update.attachments[0]?.sha256?.length, 64);
  });
});
