/**
 * The declared purpose of use (X-LGSP-Purpose, and graphql-ws connectionParams["x-lgsp-purpose"]): printable ASCII
 * with percent-encoded UTF-8, so Vietnamese can be written; every malformed value refused with its reason.
 * (The HTTP edge's answer to a refused header is asserted in token-attacks.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LgspError } from '@lgsp/kit';
import { MAX_PURPOSE_LENGTH, purposeFrom } from './principal.ts';

function refusal(value: string[]): { code: string; reason: unknown; message: string } {
  try {
    purposeFrom(value);
  } catch (error) {
    assert.ok(error instanceof LgspError, `not an LgspError: ${String(error)}`);
    return { code: error.code, reason: error.details?.reason, message: error.message };
  }
  assert.fail(`${JSON.stringify(value)} was accepted`);
}

describe('purposeFrom', () => {
  it('is undefined when no purpose is sent', () => {
    assert.equal(purposeFrom(undefined), undefined);
    assert.equal(purposeFrom([]), undefined);
  });

  it('keeps an ASCII purpose as sent (trimmed), spaces and + included', () => {
    assert.equal(purposeFrom(['residence-management:HS-2026-000123']), 'residence-management:HS-2026-000123');
    assert.equal(purposeFrom(['  thu-tuc 1.001234 ']), 'thu-tuc 1.001234');
    assert.equal(purposeFrom(['public-service:a+b']), 'public-service:a+b', '+ is a plus, not a space (RFC 3986, not form encoding)');
  });

  it('decodes percent-encoded UTF-8: a purpose in Vietnamese', () => {
    const purpose = 'public-service:Hồ sơ đăng ký khai sinh số 123';
    assert.equal(purposeFrom([encodeURIComponent(purpose)]), purpose);
    // Only the reference encoded, hex digits in either case.
    assert.equal(purposeFrom(['civil-status:H%E1%BB%93%20s%c6%a1']), 'civil-status:Hồ sơ');
    // A literal % is %25; an encoded ":" is a colon like any other.
    assert.equal(purposeFrom(['education%3A100%25']), 'education:100%');
  });

  it('normalises to NFC: the same words typed on keyboards that compose or decompose give one purpose', () => {
    const decomposed = 'public-service:Hồ sơ'.normalize('NFD');
    assert.notEqual(decomposed, 'public-service:Hồ sơ');
    assert.equal(purposeFrom([encodeURIComponent(decomposed)]), 'public-service:Hồ sơ');
  });

  it('counts the length in decoded characters', () => {
    const longest = 'ồ'.repeat(MAX_PURPOSE_LENGTH);
    assert.equal(purposeFrom([encodeURIComponent(longest)]), longest);
    const tooLong = refusal([encodeURIComponent(`${longest}a`)]);
    assert.deepEqual([tooLong.code, tooLong.reason], ['BAD_USER_INPUT', 'PURPOSE_TOO_LONG']);
    assert.match(tooLong.message, /201 characters long; at most 200/);
    const hugeAsSent = refusal(['%41'.repeat(1000)]);
    assert.equal(hugeAsSent.reason, 'PURPOSE_TOO_LONG');
    assert.match(hugeAsSent.message, /3000 characters long as sent/);
  });

  const refused: Array<[string, string[], string, RegExp]> = [
    ['two values', ['a', 'b'], 'PURPOSE_REPEATED', /once/],
    ['an empty value', [' '], 'PURPOSE_EMPTY', /is empty/],
    ['a value that decodes to spaces', ['%20%20'], 'PURPOSE_EMPTY', /empty once decoded/],
    [
      'raw UTF-8 (as JSON connectionParams could carry it)',
      ['Hồ sơ'],
      'PURPOSE_NOT_ASCII',
      /printable ASCII \(character 2 is not\); .*percent-encoded as UTF-8/,
    ],
    ['raw UTF-8 as Node reads a header (Latin-1)', [Buffer.from('Hồ', 'utf8').toString('latin1')], 'PURPOSE_NOT_ASCII', /character 2 is not/],
    ['a raw tab', ['HS\t123'], 'PURPOSE_NOT_ASCII', /printable ASCII \(character 3 is not\)/],
    ['a % without hex digits', ['HS%2G-1'], 'PURPOSE_MALFORMED_ESCAPE', /malformed percent escape at character 3 \("%2G"\)/],
    ['a % at the end', ['HS-100%'], 'PURPOSE_MALFORMED_ESCAPE', /at character 7 \("%"\).*%25/],
    ['a lone continuation byte', ['HS%80'], 'PURPOSE_NOT_UTF8', /do not decode to UTF-8/],
    ['a truncated sequence', ['H%E1%BB'], 'PURPOSE_NOT_UTF8', /UTF-8/],
    ['an overlong encoding of "/"', ['%C0%AF'], 'PURPOSE_NOT_UTF8', /UTF-8/],
    ['an encoded surrogate', ['%ED%A0%80'], 'PURPOSE_NOT_UTF8', /UTF-8/],
    ['an encoded control character', ['HS%0A123'], 'PURPOSE_CONTROL_CHARACTER', /U\+000A, character 3 once decoded/],
    ['an encoded NUL', ['HS%00'], 'PURPOSE_CONTROL_CHARACTER', /U\+0000/],
    ['an encoded C1 control', ['HS%C2%85'], 'PURPOSE_CONTROL_CHARACTER', /U\+0085/],
    ['a right-to-left override', ['H%E1%BB%93%E2%80%AEs%C6%A1'], 'PURPOSE_CONTROL_CHARACTER', /U\+202E, character 3/],
    ['a line separator', ['a%E2%80%A8b'], 'PURPOSE_CONTROL_CHARACTER', /U\+2028/],
  ];
  for (const [name, value, reason, message] of refused) {
    it(`refuses ${name}: BAD_USER_INPUT, reason ${reason}`, () => {
      const error = refusal(value);
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.equal(error.reason, reason);
      assert.match(error.message, message);
    });
  }
});
