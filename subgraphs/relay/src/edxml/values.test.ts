import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Base64Sink, checkOrganId, formatEdxmlTimestamp, parseDocumentId, parseEdxmlDate, isoDate, isoTimestamp } from './values.ts';

// [text, ISO date, ISO timestamp] — null: refused.
const DATES: Array<[string, string | null, string | null]> = [
  ['2018/09/28', '2018-09-28', '2018-09-28T00:00:00+07:00'],
  ['30/10/2020', '2020-10-30', '2020-10-30T00:00:00+07:00'],
  ['2023/03/14 17:19:16', '2023-03-14', '2023-03-14T17:19:16+07:00'],
  ['20/09/2015 11:08:36', '2015-09-20', '2015-09-20T11:08:36+07:00'],
  ['2018-09-28T10:00:00Z', '2018-09-28', '2018-09-28T10:00:00Z'],
  ['2018-09-28T10:00:00+0700', '2018-09-28', '2018-09-28T10:00:00+07:00'],
  ['2016/02/29', '2016-02-29', '2016-02-29T00:00:00+07:00'],
  ['2014/02/30', null, null],
  ['2015/02/29', null, null],
  ['2015/13/01', null, null],
  ['2015/09/20 24:00:00', null, null],
  ['09/30/2015', null, null],
  ['tomorrow', null, null],
  ['', null, null],
];

// [OrganId, verdict]
const ORGAN_IDS: Array<[string, ReturnType<typeof checkOrganId>]> = [
  ['000.00.00.G22', 'canonical'],
  ['000.00.11.H53', 'canonical'],
  ['777.77.04.D77', 'canonical'],
  ['28.22.H17', 'accepted'],
  ['01.02.G22', 'accepted'],
  ['000.00.00.g22', 'accepted'],
  ['G22', 'invalid'],
  ['12334', 'invalid'],
  ['000.00.00.G22.X1', 'invalid'],
  ['000..00.G22', 'invalid'],
  ['000.00.00.G222X', 'invalid'],
  ['000.00.00.Đ22', 'invalid'],
  ['from_organid', 'invalid'],
];

describe('edXML values', () => {
  for (const [text, date, timestamp] of DATES) {
    it(`date "${text}" → ${date ?? 'refused'}`, () => {
      const parsed = parseEdxmlDate(text);
      assert.equal(parsed.ok ? isoDate(parsed.date) : null, date);
      assert.equal(parsed.ok ? isoTimestamp(parsed.date) : null, timestamp);
    });
  }
  for (const [value, verdict] of ORGAN_IDS) it(`OrganId "${value}" → ${verdict}`, () => assert.equal(checkOrganId(value), verdict));

  it('DocumentId forms', () => {
    assert.deepEqual(parseDocumentId('000.00.00.G22,2014/02/30,7806/VPCP-TTĐT'), {
      form: 'structured',
      organId: '000.00.00.G22',
      date: { raw: '2014/02/30', iso: null },
      codeNumber: '7806',
      codeNotation: 'VPCP-TTĐT',
    });
    assert.deepEqual(parseDocumentId('9fbfbad2-f1f8-4256-a2eb-50fb1061cddb'), { form: 'uuid' });
    assert.deepEqual(parseDocumentId('12334'), { form: 'unstructured' });
    assert.deepEqual(parseDocumentId('a,b,c'), { form: 'unstructured' });
  });

  it('timestamps are written in Vietnam time', () => {
    assert.equal(formatEdxmlTimestamp(new Date('2015-12-31T17:30:00Z')), '2016/01/01 00:30:00');
  });

  // [pieces, valid, decoded text]
  const BASE64: Array<[string[], boolean, string | null]> = [
    [['SGVsbG8='], true, 'Hello'],
    [['SGVs', 'bG8', '='], true, 'Hello'],
    [['SGVsbG8', '=', ''], true, 'Hello'],
    [['SG Vs\r\nbG8g\td29y bGQ='], true, 'Hello world'],
    [[''], true, ''],
    [['SGVsbG8'], false, null],
    [['SGVsbG8=', 'AA=='], false, null],
    [['SGV=sbG8'], false, null],
    [['S==='], false, null],
    [['${__StringFromFile(test.txt,,,)}'], false, null],
    [['SGVs-bG8='], false, null],
  ];
  for (const [pieces, valid, text] of BASE64) {
    it(`base64 ${JSON.stringify(pieces)} → ${valid ? JSON.stringify(text) : 'not base64'}`, () => {
      const sink = new Base64Sink();
      for (const p of pieces) sink.write(p);
      const result = sink.finish();
      assert.equal(result.valid, valid);
      assert.equal(result.decodedSize, text === null ? null : Buffer.byteLength(text));
      assert.equal(result.sha256, text === null ? null : createHash('sha256').update(text).digest('hex'));
    });
  }
});
