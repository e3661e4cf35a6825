import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { assertPersonalId, isPersonalId } from './personal-id.ts';
import { householdRelation, isoDate, joinName } from './citizen.ts';
import { assertEnterpriseCode, enterpriseStatus, isEnterpriseCode, legalForm } from './enterprise.ts';

test('personal IDs are exactly 12 digits', () => {
  assert.ok(isPersonalId('040074988660'));
  for (const bad of ['', '04007498866', '0400749886601', '04007498866a', ' 040074988660']) {
    assert.equal(isPersonalId(bad), false, bad);
    assert.throws(
      () => assertPersonalId(bad),
      (e) => e instanceof LgspError && e.code === ErrorCode.INVALID_PERSONAL_ID && !e.message.includes(bad.trim() || '#'),
    );
  }
});

test('enterprise codes: 10 digits, optionally a -NNN branch suffix', () => {
  assert.ok(isEnterpriseCode('0109556934'));
  assert.ok(isEnterpriseCode('0109556934-001'));
  assert.equal(isEnterpriseCode('010955693'), false);
  assert.throws(
    () => assertEnterpriseCode('x'),
    (e) => e instanceof LgspError && e.code === ErrorCode.INVALID_ENTERPRISE_CODE,
  );
});

test('recorded values map to domain values', () => {
  assert.equal(householdRelation('Chủ hộ'), 'HEAD');
  assert.equal(householdRelation('Vợ'), 'SPOUSE');
  assert.equal(householdRelation('Cháu'), 'GRANDCHILD');
  assert.equal(householdRelation('Con dâu'), 'OTHER');
  assert.equal(joinName('Trần', '', 'Hòa'), 'Trần Hòa');
  assert.equal(joinName('Nguyễn', 'Ngọc Bảo', 'Anh'), 'Nguyễn Ngọc Bảo Anh');
  assert.equal(isoDate('19740617'), '1974-06-17');
  assert.equal(isoDate('27/12/2008'), '2008-12-27');
  assert.throws(() => isoDate('June'));
  assert.equal(enterpriseStatus('4'), 'DISSOLVED');
  assert.equal(enterpriseStatus('9'), 'UNKNOWN');
  assert.equal(legalForm('3'), 'JOINT_STOCK');
});
