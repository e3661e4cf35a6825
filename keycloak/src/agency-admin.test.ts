/** An agency administrator (BG/BV:6.1) logs in through the portal as `<agency code>@nghean.gov.vn` and acts for its agency. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger, Role } from '@lgsp/kit';
import { decodeJwt } from 'jose';
import { configSchema } from './config.ts';
import { developmentPortalLogin } from './dev-clients.ts';
import { developmentPassword, loadRealmExport } from './realm.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';

let issuer: RunningDevIssuer;
before(async () => {
  issuer = await startDevIssuer(configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), {
    realm: await loadRealmExport(),
    logger: createLogger('agency-admin-test', 'silent'),
  });
});
after(async () => {
  await issuer.close();
});

describe('agency administrators', () => {
  it('log in as <agency code>@nghean.gov.vn (any case) and get agency-admin with their agency_code', async () => {
    const admin = issuer.realm.users.find((u) => u.username === '000.00.20.h41@nghean.gov.vn');
    assert.ok(admin);
    const { accessToken } = await developmentPortalLogin(issuer.issuer, '000.00.20.H41@nghean.gov.vn', developmentPassword(admin) ?? '');
    const claims = decodeJwt(accessToken);
    assert.equal(claims.agency_code, '000.00.20.H41');
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes(Role.agencyAdmin));
    assert.equal(claims.preferred_username, '000.00.20.h41@nghean.gov.vn');
    // A civil servant of the same agency is no agency administrator.
    const servant = issuer.realm.users.find((u) => u.username === 'hoa.vo');
    assert.ok(servant);
    const other = decodeJwt((await developmentPortalLogin(issuer.issuer, 'hoa.vo', developmentPassword(servant) ?? '')).accessToken);
    assert.equal((other.realm_access as { roles: string[] }).roles.includes(Role.agencyAdmin), false);
  });
});
