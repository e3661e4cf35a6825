/** Report links: a genuine link verifies; an altered, foreign or malformed one is invalid; an old one is expired. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReportLinkSigner, ReportLinkError, type ReportGrant } from './report-link.ts';

const grant: ReportGrant = {
  period: '2026-11',
  agency: '000.00.04.H41',
  format: 'pdf',
  environment: 'production',
  caller: '000.00.04.H41',
  expiresAtMs: 2_000,
};
const signer = createReportLinkSigner('a-secret-of-thirty-two-bytes-or-more!');
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof ReportLinkError);
    return e.code;
  }
};

describe('report links', () => {
  it('verifies its own link until it expires', () => {
    const token = signer.sign(grant);
    assert.deepEqual(signer.verify(token, 1_999), grant);
    assert.equal(
      code(() => signer.verify(token, 2_000)),
      'REPORT_LINK_EXPIRED',
    );
  });
  it('refuses altered, foreign and malformed tokens as invalid, even when also expired', () => {
    const token = signer.sign(grant);
    const [payload, signature] = token.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ ...grant, agency: '000.00.02.H41' })).toString('base64url');
    for (const bad of [
      `${other}.${signature}`,
      createReportLinkSigner('another-secret-of-thirty-two-bytes!').sign(grant),
      `${payload}.`,
      payload,
      '',
      'a.b.c',
      `${payload}.${signature}x`,
    ]) {
      assert.equal(
        code(() => signer.verify(bad, 1_000)),
        'REPORT_LINK_INVALID',
        bad,
      );
      assert.equal(
        code(() => signer.verify(bad, 9_000)),
        'REPORT_LINK_INVALID',
        bad,
      );
    }
  });
  it('still verifies links of the previous secret after a rotation', () => {
    const old = createReportLinkSigner('the-previous-secret-of-32-bytes-ok').sign(grant);
    const rotated = createReportLinkSigner('the-current-secret-of-32-bytes-okk', 'the-previous-secret-of-32-bytes-ok');
    assert.deepEqual(rotated.verify(old, 1_000), grant);
  });
});
