/** `mayRead` against every cell of the access table. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { mayRead, requireRead } from './access.ts';
import { accessTable, callers } from './authorization.table.ts';

describe('who may read statistics, reconciliations and reports', () => {
  for (const row of accessTable) {
    for (const [name, outcome] of Object.entries(row.outcomes)) {
      it(`${row.read}: ${name} → ${outcome}`, () => {
        const principal = callers[name]!;
        assert.equal(mayRead(principal, row.scope), outcome === 'ok');
        if (outcome === 'ok') requireRead(principal, row.scope);
        else
          assert.throws(
            () => requireRead(principal, row.scope),
            (e: unknown) => e instanceof LgspError && e.code === ErrorCode.FORBIDDEN,
          );
      });
    }
  }
});
