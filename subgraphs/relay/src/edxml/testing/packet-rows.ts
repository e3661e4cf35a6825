/**
 * A table of whole packet files and what parsing each must give, and the test that walks it. Used for the
 * project's own packets (`packets.table.ts`, in `npm test`) and for the third-party samples
 * (`samples.table.ts`, in `npm run test:interop`). Test support, not part of the module's API.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { EdxmlError, STRICT_ESCALATION, type EdxmlErrorCode, type EdxmlWarningCode } from '../errors.ts';
import { parseEdxml, parseEdxmlStream } from '../parse.ts';
import { inPieces } from '../testing.ts';

export interface AcceptedDocumentRow {
  file: string;
  outcome: 'accepted';
  kind: 'document';
  from: string;
  to: string[];
  codeNumber: string;
  codeNotation: string;
  promulgationDate: string;
  documentId: string;
  businessDocType: string;
  /** [contentId, decoded size in bytes, or null when the content is not base64] per attachment. */
  attachments: Array<[string, number | null]>;
  warnings: EdxmlWarningCode[];
}

export interface AcceptedStatusRow {
  file: string;
  outcome: 'accepted';
  kind: 'status';
  from: string;
  statusCode: string;
  responseForOrganId: string;
  responseForDocumentId: string;
  timestamp: string;
  warnings: EdxmlWarningCode[];
}

export interface RejectedRow {
  file: string;
  outcome: 'rejected';
  code: EdxmlErrorCode;
  line: number;
  column: number;
  path?: string;
}

export type PacketRow = AcceptedDocumentRow | AcceptedStatusRow | RejectedRow;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, `${e.parentPath}/${e.name}`))
    .sort();
}

/** One test that the folder and the table list the same files, then one test per row. Call inside `describe`. */
export function itParsesEveryPacket(folder: URL, rows: PacketRow[], tableName: string): void {
  it(`every file has a row in ${tableName}, and every row a file`, async () => {
    const files = await listFiles(fileURLToPath(folder));
    assert.ok(files.length > 0, `the folder ${fileURLToPath(folder)} holds packets`);
    assert.deepEqual(files, rows.map((row) => row.file).sort());
  });

  for (const row of rows) {
    it(`${row.file} → ${row.outcome === 'rejected' ? row.code : `${row.kind}, ${row.warnings.length} warning(s)`}`, async () => {
      const bytes = await readFile(new URL(row.file, folder));
      if (row.outcome === 'rejected') {
        assert.throws(
          () => parseEdxml(bytes),
          (error: unknown) => {
            assert.ok(error instanceof EdxmlError);
            assert.deepEqual(
              { code: error.code, line: error.line, column: error.column, path: error.path },
              { code: row.code, line: row.line, column: row.column, path: row.path },
            );
            return true;
          },
        );
        // A stream is refused the same way, wherever the pieces are cut.
        await assert.rejects(
          parseEdxmlStream(inPieces(bytes, 7)),
          (error: unknown) => error instanceof EdxmlError && error.code === row.code && error.line === row.line,
        );
        return;
      }
      const packet = parseEdxml(bytes);
      assert.equal(packet.kind, row.kind);
      assert.equal(packet.from.organId, row.from);
      assert.deepEqual(
        packet.warnings.map((w) => w.code),
        row.warnings,
        JSON.stringify(packet.warnings, null, 1),
      );
      if (packet.kind === 'document' && row.kind === 'document') {
        assert.deepEqual(
          packet.to.map((t) => t.organId),
          row.to,
        );
        assert.equal(packet.code.codeNumber, row.codeNumber);
        assert.equal(packet.code.codeNotation, row.codeNotation);
        assert.equal(packet.promulgationInfo.promulgationDate?.iso, row.promulgationDate);
        assert.equal(packet.documentId, row.documentId);
        assert.equal(packet.business?.businessDocType, row.businessDocType);
        assert.deepEqual(
          packet.attachments.map((a) => [a.contentId, a.decodedSize]),
          row.attachments,
        );
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

      // Strict mode refuses exactly the packets that carry an escalating warning.
      const escalating = packet.warnings.find((w) => STRICT_ESCALATION[w.code]);
      if (escalating) {
        assert.throws(
          () => parseEdxml(bytes, { strict: true }),
          (error: unknown) => error instanceof EdxmlError && error.code === STRICT_ESCALATION[escalating.code],
        );
      } else {
        assert.deepEqual(parseEdxml(bytes, { strict: true }), packet);
      }
    });
  }
}
