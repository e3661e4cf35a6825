/**
 * A citizen's token (role `citizen`, signed in through VDXP) → Principal: `personal_id` (required, 12 digits),
 * `enterprise_code` (a business representative's), `acr`; malformed claims refused with a precise reason and a
 * description that never quotes the value; no agency. (Through a real gateway with signed tokens:
 * token-attacks.test.ts and authorization/self-access.integration.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JWTPayload } from 'jose';
import { AuthenticationError, type AuthenticationFailure } from './authentication-error.ts';
import { principalFromClaims } from './principal.ts';

const AUDIENCE = 'lgsp-gateway';
const PERSONAL_ID = '040074988660';

/** Claims of a VDXP-brokered citizen's portal token, as the realm issues them. */
function citizenClaims(extra: Record<string, unknown> = {}): JWTPayload {
  return {
    sub: '5b0c8a4e-3f61-4d1e-9f3c-0a2b7c1d9e11',
    azp: 'lgsp-portal',
    preferred_username: 'vdxp.hoa.tran',
    jti: 'jti-1',
    scope: 'openid profile',
    realm_access: { roles: ['citizen', 'default-roles-lgsp'] },
    personal_id: PERSONAL_ID,
    acr: '2',
    ...extra,
  };
}

function refusal(claims: JWTPayload): { reason: AuthenticationFailure; description: string } {
  try {
    principalFromClaims(claims, AUDIENCE);
  } catch (error) {
    assert.ok(error instanceof AuthenticationError, `not an AuthenticationError: ${String(error)}`);
    return { reason: error.reason, description: error.description };
  }
  assert.fail('the claims were accepted');
}

describe('a citizen token → principal', () => {
  it('is a user with the citizen role, its personal ID and assurance level, and no agency', () => {
    const principal = principalFromClaims(citizenClaims(), AUDIENCE);
    assert.equal(principal.kind, 'user');
    assert.ok(principal.roles.includes('citizen'));
    assert.equal(principal.personalId, PERSONAL_ID);
    assert.equal(principal.assuranceLevel, '2');
    assert.equal(principal.enterpriseCode, undefined);
    assert.equal(principal.agencyCode, undefined);
    assert.equal(principal.userId, '5b0c8a4e-3f61-4d1e-9f3c-0a2b7c1d9e11');
  });

  it('a business representative: the enterprise code, a branch code too', () => {
    assert.equal(principalFromClaims(citizenClaims({ enterprise_code: '5224442797' }), AUDIENCE).enterpriseCode, '5224442797');
    assert.equal(principalFromClaims(citizenClaims({ enterprise_code: '5224442797-001' }), AUDIENCE).enterpriseCode, '5224442797-001');
    // An empty claim (a mapper over an empty user attribute) means none.
    assert.equal(principalFromClaims(citizenClaims({ enterprise_code: '' }), AUDIENCE).enterpriseCode, undefined);
  });

  it('acr as a number is kept as a string; absent, there is no assurance level', () => {
    assert.equal(principalFromClaims(citizenClaims({ acr: 2 }), AUDIENCE).assuranceLevel, '2');
    assert.equal(principalFromClaims(citizenClaims({ acr: undefined }), AUDIENCE).assuranceLevel, undefined);
  });

  it('the role may come from the gateway client roles as well', () => {
    const claims = citizenClaims({ realm_access: { roles: [] }, resource_access: { [AUDIENCE]: { roles: ['citizen'] } } });
    assert.equal(principalFromClaims(claims, AUDIENCE).personalId, PERSONAL_ID);
  });

  const refused: Array<[string, Record<string, unknown>, AuthenticationFailure, RegExp]> = [
    ['no personal_id', { personal_id: undefined }, 'personal_id', /must carry the personal_id claim/],
    ['an 11-digit personal_id', { personal_id: '04007498866' }, 'personal_id', /exactly 12 digits/],
    ['a personal_id with letters', { personal_id: '04007498866A' }, 'personal_id', /exactly 12 digits/],
    ['a personal_id as a number', { personal_id: 40074988660 }, 'personal_id', /exactly 12 digits/],
    ['a personal_id with spaces', { personal_id: ' 040074988660' }, 'personal_id', /exactly 12 digits/],
    ['an enterprise code of 9 digits', { enterprise_code: '522444279' }, 'enterprise_code', /10 digits, optionally -NNN/],
    ['an enterprise code as a list', { enterprise_code: ['5224442797'] }, 'enterprise_code', /enterprise code/],
    ['acr an object', { acr: { level: 2 } }, 'assurance_level', /acr claim/],
    ['acr with a space', { acr: 'level 2' }, 'assurance_level', /acr claim/],
    ['acr a negative number', { acr: -1 }, 'assurance_level', /acr claim/],
    ['a citizen naming an agency', { agency_code: '000.00.20.H41' }, 'citizen_agency', /acts for no agency/],
    ['a service account with the citizen role', { preferred_username: 'service-account-x' }, 'citizen_agency', /service account/],
  ];
  for (const [name, extra, reason, message] of refused) {
    it(`refuses ${name} (${reason})`, () => {
      const found = refusal(citizenClaims(extra));
      assert.equal(found.reason, reason);
      assert.match(found.description, message);
      assert.doesNotMatch(found.description, /0400749886|5224442797|000\.00\.20/, 'the description never quotes the value');
      // RFC 6750 error_description characters: the description goes into WWW-Authenticate as it is.
      assert.match(found.description, /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
    });
  }

  it('citizen claims on a token without the citizen role mean nothing and are not checked', () => {
    const principal = principalFromClaims(
      {
        sub: 's',
        preferred_username: 'hoa.vo',
        agency_code: '000.00.20.H41',
        personal_id: 'x',
        enterprise_code: 'y',
        acr: '1',
        realm_access: { roles: ['civil-servant'] },
      },
      AUDIENCE,
    );
    assert.equal(principal.agencyCode, '000.00.20.H41');
    assert.equal(principal.personalId, undefined);
    assert.equal(principal.enterpriseCode, undefined);
    assert.equal(principal.assuranceLevel, undefined);
  });
});
