/**
 * What an anonymous caller gets is one rule (issue 15): the code states it once (gateway/src/auth/anonymous-access.ts),
 * GraphiQL's help text shows it (tested in gateway/src/landing), and the README quotes it word for word — this test.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ANONYMOUS_ACCESS_RULE } from '../../gateway/src/auth/anonymous-access.ts';

const root = new URL('../../', import.meta.url);
const words = (text: string) => text.replace(/^> ?/gm, '').replace(/\s+/g, ' ').trim();

test("the README quotes the gateway's anonymous-access rule word for word", async () => {
  const readme = words(await readFile(new URL('README.md', root), 'utf8'));
  assert.ok(
    readme.includes(words(ANONYMOUS_ACCESS_RULE.join(' '))),
    'README.md must quote ANONYMOUS_ACCESS_RULE (gateway/src/auth/anonymous-access.ts) as a block quote',
  );
});
