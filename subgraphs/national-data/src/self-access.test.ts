/**
 * The per-record rule of self-access: a citizen's own record, and the enterprise the register says they represent;
 * anyone else (agencies, civil servants) is not concerned by it. Through the gateway with real tokens:
 * gateway/src/authorization/self-access.integration.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LgspError, type Principal } from '@lgsp/kit';
import type { Enterprise } from './domain/enterprise.ts';
import { assertOwnCitizen, assertOwnEnterpriseCode, assertRepresentative, selfAccessOf } from './self-access.ts';

const OWN = '040074988660';
const OTHER = '036180777846';
const CODE = '5224442797';

const citizen = (extra: Partial<Principal> = {}): Principal => ({ kind: 'user', userId: 's', roles: ['citizen'], scopes: [], personalId: OWN, ...extra });
const agency: Principal = { kind: 'system', agencyCode: '000.00.02.H41', roles: ['agency-system'], scopes: [] };
const civilServant: Principal = { kind: 'user', agencyCode: '000.00.20.H41', roles: ['civil-servant'], scopes: [], personalId: OTHER };

function enterprise(representatives: Array<string | null>): Enterprise {
  return {
    code: CODE,
    name: 'CÔNG TY CỔ PHẦN THIẾT BỊ LỘC TÂN',
    foreignName: null,
    shortName: null,
    status: 'ACTIVE',
    statusLabel: 'Đang hoạt động',
    legalForm: 'JOINT_STOCK',
    legalFormLabel: 'Công ty cổ phần',
    registeredCapital: null,
    foundingDate: null,
    lastAmendmentDate: null,
    legalRepresentatives: representatives.map((personalId) => ({ fullName: 'Người đại diện', personalId, position: null })),
    headOffice: { street: null, wardCode: '16690', wardName: 'Phường Trường Vinh', provinceCode: '40', provinceName: 'Nghệ An', fullText: null },
    businessLines: [],
  };
}

function forbidden(action: () => void): { code: string; reason: unknown; message: string } {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof LgspError);
    return { code: error.code, reason: error.details?.reason, message: error.message };
  }
  assert.fail('allowed');
}

describe('self-access per record', () => {
  it('only a user with the citizen role reads under self-access', () => {
    assert.deepEqual(selfAccessOf(citizen({ enterpriseCode: CODE })), { personalId: OWN, enterpriseCode: CODE });
    assert.equal(selfAccessOf(agency), undefined);
    assert.equal(selfAccessOf(civilServant), undefined);
    assert.equal(selfAccessOf({ ...citizen(), kind: 'system' }), undefined);
  });

  it("a citizen's own record; anyone else's is FORBIDDEN without quoting the ID", () => {
    assertOwnCitizen(citizen(), OWN);
    const refused = forbidden(() => assertOwnCitizen(citizen(), OTHER));
    assert.deepEqual([refused.code, refused.reason], ['FORBIDDEN', 'NOT_OWN_RECORD']);
    assert.match(refused.message, /^Công dân chỉ được xem hồ sơ của chính mình/);
    assert.doesNotMatch(refused.message, new RegExp(OTHER));
    // A citizen principal without a personal ID (the gateway refuses such a token) admits nothing.
    assert.equal(forbidden(() => assertOwnCitizen(citizen({ personalId: undefined }), OWN)).code, 'FORBIDDEN');
  });

  it('agencies and civil servants are not concerned (their grants decided at the gateway)', () => {
    assertOwnCitizen(agency, OTHER);
    assertOwnCitizen(civilServant, OWN);
    assertOwnEnterpriseCode(agency, CODE);
    assertRepresentative(civilServant, enterprise([]));
  });

  it("the enterprise of the citizen's token only", () => {
    assertOwnEnterpriseCode(citizen({ enterpriseCode: CODE }), CODE);
    assert.equal(forbidden(() => assertOwnEnterpriseCode(citizen({ enterpriseCode: CODE }), '0491470798')).reason, 'NOT_OWN_ENTERPRISE');
    assert.equal(forbidden(() => assertOwnEnterpriseCode(citizen(), CODE)).reason, 'NOT_OWN_ENTERPRISE');
  });

  it('the register must name the citizen among its legal representatives; one without personal IDs cannot confirm it', () => {
    const representative = citizen({ enterpriseCode: CODE });
    assertRepresentative(representative, enterprise([OWN]));
    assertRepresentative(representative, enterprise([OTHER, OWN]));
    for (const register of [enterprise([OTHER]), enterprise([null]), enterprise([])]) {
      const refused = forbidden(() => assertRepresentative(representative, register));
      assert.deepEqual([refused.code, refused.reason], ['FORBIDDEN', 'NOT_LEGAL_REPRESENTATIVE']);
    }
  });
});
