import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { EdxmlError, STRICT_ESCALATION } from './errors.ts';
import { parseEdxml, parseEdxmlStream } from './parse.ts';
import { SAMPLE_ROWS } from './samples.table.ts';
import { EDXML_DATA, inPieces } from './test-support.ts';

const SAMPLES = new URL('samples/', EDXML_DATA);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, `${e.parentPath}/${e.name}`)).sort();
}

describe('edXML: the real samples (../shared/data/edxml/samples)', () => {
  it('every sample file has a row in samples.table.ts, and every row a file', async () => {
    const files = await listFiles(fileURLToPath(SAMPLES));
    assert.ok(files.length > 0, 'the samples folder is readable');
    assert.deepEqual(files, SAMPLE_ROWS.map((row) => row.file).sort());
  });

  for (const row of SAMPLE_ROWS) {
    it(`${row.file} → ${row.outcome === 'rejected' ? row.code : `${row.kind}, ${row.warnings.length} warning(s)`}`, async () => {
      const bytes = await readFile(new URL(row.file, SAMPLES));
      if (row.outcome === 'rejected') {
        assert.throws(() => parseEdxml(bytes), (error: unknown) => {
          assert.ok(error instanceof EdxmlError);
          assert.deepEqual({ code: error.code, line: error.line, column: error.column, path: error.path }, { code: row.code, line: row.line, column: row.column, path: row.path });
          return true;
        });
        return;
      }
      const packet = parseEdxml(bytes);
      assert.equal(packet.kind, row.kind);
      assert.equal(packet.from.organId, row.from);
      assert.deepEqual(packet.warnings.map((w) => w.code), row.warnings, JSON.stringify(packet.warnings, null, 1));
      if (packet.kind === 'document' && row.kind === 'document') {
        assert.deepEqual(packet.to.map((t) => t.organId), row.to);
        assert.equal(packet.code.codeNumber, row.codeNumber);
        assert.equal(packet.code.codeNotation, row.codeNotation);
        assert.equal(packet.promulgationInfo.promulgationDate?.iso, row.promulgationDate);
        assert.equal(packet.documentId, row.documentId);
        assert.equal(packet.business?.businessDocType, row.businessDocType);
        assert.deepEqual(packet.attachments.map((a) => [a.contentId, a.decodedSize]), row.attachments);
        assert.equal(packet.manifest.length, row.attachments.length);
      } else if (packet.kind === 'status' && row.kind === 'status') {
        assert.equal(packet.statusCode, row.statusCode);
        assert.equal(packet.responseFor.organId, row.responseForOrganId);
        assert.equal(packet.responseFor.documentId, row.responseForDocumentId);
        assert.equal(packet.timestamp?.iso, row.timestamp);
      } else {
        assert.fail(`kind ${packet.kind} does not match the row`);
      }

      // Chunk boundaries (inside multi-byte UTF-8 characters, CRLF pairs, tags) change nothing.
      assert.deepEqual(await parseEdxmlStream(inPieces(bytes, 7)), packet);

      // Strict mode refuses exactly the samples that carry an escalating warning.
      const escalating = packet.warnings.find((w) => STRICT_ESCALATION[w.code]);
      if (escalating) {
        assert.throws(() => parseEdxml(bytes, { strict: true }), (error: unknown) => error instanceof EdxmlError && error.code === STRICT_ESCALATION[escalating.code]);
      } else {
        assert.deepEqual(parseEdxml(bytes, { strict: true }), packet);
      }
    });
  }

  it('the revocation sample carries its ResponseFor and the replacement sample its ReplacementInfoList', async () => {
    const revocation = parseEdxml(await readFile(new URL('all4u1089-truclienthong-example/edoc_revocation.redacted.edxml', SAMPLES)));
    assert.equal(revocation.kind, 'document');
    assert.deepEqual(revocation.kind === 'document' && revocation.responseFor, [
      {
        organId: '000.00.00.H14',
        code: '267/VPCP-TTĐT',
        promulgationDate: { raw: '2018/09/28', iso: '2018-09-28' },
        documentId: '000.00.04.G14,2012/08/06,267/VPCP-TTĐT',
        documentIdInfo: { form: 'structured', organId: '000.00.04.G14', date: { raw: '2012/08/06', iso: '2012-08-06' }, codeNumber: '267', codeNotation: 'VPCP-TTĐT' },
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
