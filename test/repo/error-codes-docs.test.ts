/**
 * Every `extensions.code` the platform defines — the kit's error codes, which every service maps its errors to, and
 * the gateway's codes for requests refused before GraphQL runs — is in the "Error codes" table of docs/operations.md,
 * which the agency guide points callers to. A code added without a row fails here, naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@lgsp/kit';
import { HttpErrorCode } from '../../gateway/src/http/graphql-over-http.ts';
import { repoRoot } from '../../scripts/platform.ts';

const REFERENCE = 'docs/operations.md';

test(`every error code the platform defines is in the Error codes table of ${REFERENCE}`, async () => {
  const codes = [...Object.values(ErrorCode), ...Object.values(HttpErrorCode)];
  assert.ok(codes.length >= 15, `the codes are found (${codes.length})`);
  const reference = await readFile(join(repoRoot, REFERENCE), 'utf8');
  const start = reference.indexOf('\n## Error codes\n');
  assert.notEqual(start, -1, `${REFERENCE} has a "## Error codes" section`);
  const end = reference.slice(start + 1).search(/\n#{1,2} /);
  const section = end === -1 ? reference.slice(start) : reference.slice(start, start + 1 + end);
  // A row's first cell names the codes it explains, as code.
  const documented = new Set(
    section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!)),
  );
  assert.deepEqual(codes.filter((code) => !documented.has(code)).sort(), [], `error codes missing from ${REFERENCE} "Error codes"`);
});
