import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { itParsesEveryPacket } from './testing/packet-rows.ts';
import { PACKET_ROWS } from './packets.table.ts';
import { parseEdxml } from './parse.ts';

const PACKETS = new URL('packets/', import.meta.url);
const read = async (file: string) => parseEdxml(await readFile(new URL(file, PACKETS)));

describe('edXML: the project’s own packets (packets/)', () => {
  itParsesEveryPacket(PACKETS, PACKET_ROWS, 'packets.table.ts');

  it('the revocation carries its ResponseFor, the replacement its ReplacementInfoList, the update its ReceiverList', async () => {
    const revocation = await read('document_revocation.edxml');
    assert.ok(revocation.kind === 'document');
    assert.deepEqual(revocation.responseFor, [
      {
        organId: '000.00.15.H41',
        code: '1180/STC-QLNS',
        promulgationDate: { raw: '2026/03/02', iso: '2026-03-02' },
        documentId: '000.00.12.H41,2026/03/02,1180/STC-QLNS',
        documentIdInfo: {
          form: 'structured',
          organId: '000.00.12.H41',
          date: { raw: '2026/03/02', iso: '2026-03-02' },
          codeNumber: '1180',
          codeNotation: 'STC-QLNS',
        },
      },
    ]);
    assert.equal(revocation.business?.documentId, '000.00.12.H41,2026/03/02,1180/STC-QLNS');
    const replacement = await read('document_replacement.edxml');
    assert.ok(replacement.kind === 'document');
    assert.deepEqual(replacement.business?.replacementInfoList, [
      { documentId: '000.00.12.H41,2026/03/16,1234/STC-QLNS', organIdList: ['000.00.15.H41', '000.00.09.H41'] },
      { documentId: '000.00.12.H41,2026/03/10,1201/STC-QLNS', organIdList: ['000.00.15.H41'] },
    ]);
    const update = await read('document_update.edxml');
    assert.ok(update.kind === 'document');
    assert.deepEqual(update.business?.businessDocumentInfo?.receiverList, [
      { organId: '000.00.15.H41', receiverType: '0' },
      { organId: '000.00.09.H41', receiverType: '1' },
    ]);
  });

  it('reports the signature’s namespace (unprefixed = QCVN, or XML-DSig) and each attachment’s decoded digest', async () => {
    const update = await read('document_update.edxml');
    assert.ok(update.kind === 'document');
    assert.equal(update.signature?.namespace, 'http://www.mic.gov.vn/TBT/QCVN_102_2016');
    const text = await readFile(new URL('document_update.edxml', PACKETS), 'utf8');
    const base64 = /<edXML:ContentTransferEncoded[^>]*>([^<]+)</.exec(text)![1]!;
    assert.equal(update.attachments[0]?.sha256, createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex'));
    const dsig = parseEdxml(
      (await readFile(new URL('document_not-well-formed.edxml', PACKETS), 'utf8')).replace(
        '        <edXML:From>\r\n        <edXML:From>',
        '        <edXML:From>',
      ),
    );
    assert.ok(dsig.kind === 'document');
    assert.equal(dsig.signature?.namespace, 'http://www.w3.org/2000/09/xmldsig#');
  });

  it('reads empty elements as null and the day-first date as that day', async () => {
    const packet = await read('document_day-first-date.edxml');
    assert.ok(packet.kind === 'document');
    assert.deepEqual(packet.promulgationInfo.promulgationDate, { raw: '16/03/2026', iso: '2026-03-16' });
    assert.equal(packet.dueDate, null);
    assert.equal(packet.from.organAdd, null);
    assert.equal(packet.from.fax, null);
  });
});
