import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EdxmlError } from './errors.ts';
import { REJECTED_CASES, TOLERATED_CASES } from './inline.table.ts';
import { get, parseInput } from './testing.ts';

describe('edXML: hand-written packets that must be refused', () => {
  for (const row of REJECTED_CASES) {
    it(`${row.name} → ${row.code}`, async () => {
      await assert.rejects(parseInput(row.input, row.options), (error: unknown) => {
        assert.ok(error instanceof EdxmlError, `expected an EdxmlError, got ${String(error)}`);
        assert.equal(error.code, row.code, error.message);
        if (row.line !== undefined) assert.equal(error.line, row.line, `line (${error.message})`);
        if (row.column !== undefined) assert.equal(error.column, row.column, `column (${error.message})`);
        if (row.path !== undefined) assert.equal(error.path, row.path, `path (${error.message})`);
        if (row.limit !== undefined) assert.equal(error.limit, row.limit, `limit (${error.message})`);
        return true;
      });
    });
  }
});

describe('edXML: real-world deviations that must be accepted', () => {
  for (const row of TOLERATED_CASES) {
    it(row.name, async () => {
      const packet = await parseInput(row.input, row.options);
      assert.equal(packet.kind, row.kind);
      assert.deepEqual(
        packet.warnings.map((w) => w.code),
        row.warnings,
        JSON.stringify(packet.warnings, null, 1),
      );
      for (const w of packet.warnings) assert.ok(w.path.length > 0 && typeof w.line === 'number', `warning ${w.code} has a location`);
      for (const [path, expected] of Object.entries(row.fields)) assert.deepEqual(get(packet, path), expected, path);
    });
  }
});
