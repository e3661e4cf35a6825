/**
 * Civil servants' single sign-on applications (BG:12) over HTTP with real internal tokens and real Redis: what a
 * registration answers (the secret once, never stored or logged), the strict URL rules with their precise error
 * codes, one name per agency, the launcher (`myApplications`), removal, the change log and audit records, and a
 * failing identity provider leaving nothing behind. The Keycloak side runs for real in applications-keycloak.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '@lgsp/kit';
import { checkApplication } from './domain/applications.ts';
import { adminOf, CITIZEN, developerOf, FINANCE, JUSTICE, OPERATOR, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from './testing.ts';

const ORIGIN = 'https://motcua.stp.nghean.gov.vn';
const input = (changes: Record<string, unknown> = {}) => ({
  agencyCode: JUSTICE,
  name: 'Một cửa điện tử',
  description: 'Tiếp nhận và trả kết quả hồ sơ',
  loginUrl: `${ORIGIN}/dang-nhap`,
  logoutUrl: `${ORIGIN}/dang-xuat`,
  redirectUris: [`${ORIGIN}/oidc/callback`],
  ...changes,
});
const REGISTER = `mutation($input: AgencyApplicationInput!) {
  registerAgencyApplication(input: $input) {
    clientSecret
    application { id agencyCode name description loginUrl logoutUrl redirectUris clientId enabled createdAt }
  }
}`;

describe('registry: single sign-on applications', () => {
  let h: RegistryHarness;
  const ok = (answer: GraphQLAnswer) => {
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!;
  };
  const refused = (answer: GraphQLAnswer) => ({ code: answer.errors?.[0]?.extensions?.code, argument: answer.errors?.[0]?.extensions?.argument });
  before(async () => {
    h = await startRegistryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('registers an application: a Keycloak client, the secret in the answer only, a change and an audit record', async () => {
    const { application, clientSecret } = ok(await h.gql(adminOf(JUSTICE), REGISTER, { input: input() })).registerAgencyApplication;
    assert.match(application.id, /^app-[0-9a-f]{12}$/);
    assert.match(application.clientId, /^000\.00\.04\.h41\.sso\.[0-9a-f]{8}$/);
    assert.deepEqual(
      { ...application, id: undefined, clientId: undefined, createdAt: undefined },
      { ...input(), id: undefined, clientId: undefined, enabled: true, createdAt: undefined },
    );
    assert.ok(Date.parse(application.createdAt) > 0);
    assert.ok(clientSecret.length >= 16);
    assert.deepEqual(h.applicationClients.clientIds(), [application.clientId]);
    const client = await h.applicationClients.get(application.clientId);
    assert.equal(client?.frontchannelLogoutUrl, `${ORIGIN}/dang-xuat`);
    assert.equal(client?.agencyCode, JUSTICE);

    // The secret is nowhere else: not in the stored record, the change log or the audit.
    const stored = JSON.stringify(await h.running.registry.core.store.list('applications'));
    const changes = await h.changes.list({ entity: 'AgencyApplication', id: application.id, limit: 10 });
    assert.deepEqual(
      changes.map((c) => [c.action, c.actor.username]),
      [['REGISTER', `${JUSTICE}@nghean.gov.vn`]],
    );
    await h.running.audit.writer.flush();
    const audit = (await h.running.audit.log!.range(1, 10_000)).filter((r) => r.kind === 'change' && JSON.stringify(r).includes(application.id));
    assert.equal(audit.length, 1, 'one audit record of the registration');
    for (const text of [stored, JSON.stringify(changes), JSON.stringify(audit)]) assert.ok(!text.includes(clientSecret), 'the secret is never kept');

    // Listed for the operator and the agency's administrator, without a secret field to read.
    const listed = ok(await h.gql(OPERATOR, `{ agencyApplications(agencyCode: "${JUSTICE}") { id clientId } }`)).agencyApplications;
    assert.deepEqual(listed, [{ id: application.id, clientId: application.clientId }]);
    assert.deepEqual(ok(await h.gql(adminOf(JUSTICE), '{ agencyApplications { id } }')).agencyApplications, [{ id: application.id }]);
    assert.equal(refused(await h.gql(adminOf(JUSTICE), `{ agencyApplications(agencyCode: "${FINANCE}") { id } }`)).code, 'FORBIDDEN');
  });

  it('refuses URLs that are not strictly what single sign-on needs, naming the argument: INVALID_APPLICATION_URL, nothing created', async () => {
    const before = h.applicationClients.clientIds();
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['http outside localhost', { loginUrl: 'http://motcua.stp.nghean.gov.vn/dang-nhap' }, 'loginUrl'],
      ['another scheme', { logoutUrl: 'ftp://motcua.stp.nghean.gov.vn/x' }, 'logoutUrl'],
      ['a relative URL', { redirectUris: ['/oidc/callback'] }, 'redirectUris[0]'],
      ['a fragment', { redirectUris: [`${ORIGIN}/oidc/callback#x`] }, 'redirectUris[0]'],
      ['an empty fragment', { loginUrl: `${ORIGIN}/dang-nhap#` }, 'loginUrl'],
      ['credentials in the URL', { redirectUris: ['https://user:pass@motcua.stp.nghean.gov.vn/cb'] }, 'redirectUris[0]'],
      ['a wildcard', { redirectUris: [`${ORIGIN}/*`] }, 'redirectUris[0]'],
      ['white space', { loginUrl: `${ORIGIN}/dang nhap` }, 'loginUrl'],
      ['a login URL on another origin', { loginUrl: 'https://khac.nghean.gov.vn/dang-nhap' }, 'loginUrl'],
      ['a logout URL on another port', { logoutUrl: `${ORIGIN}:8443/dang-xuat` }, 'logoutUrl'],
      ['no redirect URI', { redirectUris: [] }, 'redirectUris'],
      ['21 redirect URIs', { redirectUris: Array.from({ length: 21 }, (_, i) => `${ORIGIN}/cb${i}`) }, 'redirectUris'],
      ['a redirect URI twice', { redirectUris: [`${ORIGIN}/cb`, `${ORIGIN}/cb`] }, 'redirectUris[1]'],
      ['a very long URL', { redirectUris: [`${ORIGIN}/${'a'.repeat(2000)}`] }, 'redirectUris[0]'],
    ];
    for (const [what, changes, argument] of cases) {
      const answer = await h.gql(adminOf(JUSTICE), REGISTER, { input: input({ name: `Ứng dụng ${what}`, ...changes }) });
      assert.deepEqual(refused(answer), { code: 'INVALID_APPLICATION_URL', argument }, `${what}: ${JSON.stringify(answer.errors)}`);
      assert.match(answer.errors![0]!.message, new RegExp(`^${argument.replace(/[[\]]/g, '\\$&')}: `), what);
      assert.ok(answer.errors![0]!.extensions!.reason, `${what}: a reason in English`);
    }
    assert.deepEqual(refused(await h.gql(adminOf(JUSTICE), REGISTER, { input: input({ name: '  ' }) })), { code: 'BAD_USER_INPUT', argument: 'name' });
    assert.deepEqual(refused(await h.gql(adminOf(JUSTICE), REGISTER, { input: input({ agencyCode: '000.01.00.H41' }) })).code, 'INVALID_AGENCY_CODE');
    assert.deepEqual(h.applicationClients.clientIds(), before, 'no client was created');
  });

  it('accepts http on localhost only outside production', () => {
    const local = input({ loginUrl: 'http://localhost:8081/', logoutUrl: 'http://localhost:8081/logout', redirectUris: ['http://localhost:8081/cb'] });
    assert.equal(checkApplication(local, { allowLoopbackHttp: true }).loginUrl, 'http://localhost:8081/');
    assert.throws(
      () => checkApplication(local, { allowLoopbackHttp: false }),
      (e: { code?: string; details?: { argument?: string } }) => e.code === 'INVALID_APPLICATION_URL' && e.details?.argument === 'redirectUris[0]',
    );
  });

  it('keeps one name per agency (ALREADY_EXISTS), and a failing identity provider leaves nothing behind', async () => {
    assert.deepEqual(refused(await h.gql(adminOf(JUSTICE), REGISTER, { input: input({ name: 'MỘT CỬA ĐIỆN TỬ' }) })), {
      code: 'ALREADY_EXISTS',
      argument: 'name',
    });
    const before = await h.running.registry.core.store.list('applications');
    h.applicationClients.failNextCall();
    const failed = await h.gql(adminOf(JUSTICE), REGISTER, { input: input({ name: 'Quản lý văn bản' }) });
    assert.equal(refused(failed).code, 'IDENTITY_PROVIDER_UNAVAILABLE');
    assert.deepEqual(await h.running.registry.core.store.list('applications'), before, 'no record');
  });

  it("gives each civil servant the launcher of their agency's enabled applications, refused to citizens and systems", async () => {
    const second = ok(
      await h.gql(OPERATOR, REGISTER, {
        input: input({
          name: 'Cổng dịch vụ công',
          loginUrl: 'https://dvc.stp.nghean.gov.vn/',
          logoutUrl: 'https://dvc.stp.nghean.gov.vn/logout',
          redirectUris: ['https://dvc.stp.nghean.gov.vn/cb'],
        }),
      }),
    ).registerAgencyApplication.application;
    const civilServant = { kind: 'user' as const, userId: 'cb', username: 'tuan.pham', agencyCode: JUSTICE, roles: ['civil-servant'], scopes: [] };
    const names = async (p: Principal) =>
      (ok(await h.gql(p, '{ myApplications { name loginUrl } }')).myApplications as Array<{ name: string }>).map((a) => a.name);
    assert.deepEqual(await names(civilServant), ['Cổng dịch vụ công', 'Một cửa điện tử'], 'by name, Vietnamese order');
    assert.deepEqual(await names(developerOf(JUSTICE)), ['Cổng dịch vụ công', 'Một cửa điện tử']);
    assert.deepEqual(await names({ ...civilServant, agencyCode: FINANCE }), []);
    assert.equal(refused(await h.gql(CITIZEN, '{ myApplications { id } }')).code, 'FORBIDDEN');
    const system = { kind: 'system' as const, agencyCode: JUSTICE, systemId: `${JUSTICE}:ho-tich-dien-tu`, roles: ['agency-system'], scopes: [] };
    assert.equal(refused(await h.gql(system, '{ myApplications { id } }')).code, 'FORBIDDEN');

    // Removed: its client deleted, gone from the launcher and the lists, kept in the change log; not removed twice.
    const removed = ok(await h.gql(adminOf(JUSTICE), `mutation { removeAgencyApplication(id: "${second.id}", reason: "gộp vào cổng tỉnh") { id enabled } }`));
    assert.deepEqual(removed.removeAgencyApplication, { id: second.id, enabled: false });
    assert.ok(!h.applicationClients.clientIds().includes(second.clientId));
    assert.deepEqual(await names(civilServant), ['Một cửa điện tử']);
    assert.equal(
      refused(await h.gql(adminOf(JUSTICE), `mutation { removeAgencyApplication(id: "${second.id}", reason: "x") { id } }`)).code,
      'ILLEGAL_TRANSITION',
    );
    assert.equal(refused(await h.gql(adminOf(JUSTICE), 'mutation { removeAgencyApplication(id: "app-000000000000", reason: "x") { id } }')).code, 'NOT_FOUND');
    const first = (ok(await h.gql(adminOf(JUSTICE), '{ agencyApplications { id } }')).agencyApplications as Array<{ id: string }>)[0]!;
    assert.deepEqual(refused(await h.gql(adminOf(JUSTICE), `mutation { removeAgencyApplication(id: "${first.id}", reason: " ") { id } }`)), {
      code: 'BAD_USER_INPUT',
      argument: 'reason',
    });
    const log = await h.changes.list({ entity: 'AgencyApplication', id: second.id, limit: 10 });
    const removal = log.find((c) => c.action === 'REMOVE');
    assert.equal((removal?.after as { removed?: { reason?: string } }).removed?.reason, 'gộp vào cổng tỉnh');
    // A removed application's name may be used again.
    ok(
      await h.gql(OPERATOR, REGISTER, {
        input: input({
          name: 'Cổng dịch vụ công',
          loginUrl: 'https://dvc2.stp.nghean.gov.vn/',
          logoutUrl: 'https://dvc2.stp.nghean.gov.vn/logout',
          redirectUris: ['https://dvc2.stp.nghean.gov.vn/cb'],
        }),
      }),
    );
  });
});
