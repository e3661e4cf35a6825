import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { checkAgencyCode, parseAgencyCode } from './agency-code.ts';

const cases = JSON.parse(readFileSync(new URL('./agency-code.cases.json', import.meta.url), 'utf8')) as {
  valid: Array<{ code: string; level: number; parentCode: string | null }>;
  invalid: Array<{ code: string; reason: string }>;
};

describe('QCVN 102:2016 agency identifier codes', () => {
  for (const c of cases.valid) {
    it(`accepts ${c.code} (level ${c.level})`, () => {
      const parts = parseAgencyCode(c.code);
      assert.equal(parts.level, c.level);
      assert.equal(parts.parentCode, c.parentCode);
    });
  }
  for (const c of cases.invalid) {
    it(`rejects ${JSON.stringify(c.code)}: ${c.reason}`, () => {
      const check = checkAgencyCode(c.code);
      assert.equal(check.valid, false);
      assert.match((check as { reason: string }).reason, new RegExp(c.reason));
      assert.throws(
        () => parseAgencyCode(c.code),
        (e: unknown) => e instanceof LgspError && e.code === ErrorCode.BAD_USER_INPUT,
      );
    });
  }
});
