/**
 * The token lifetimes keycloak/README.md states are the realm export's, and the development issuer signs tokens
 * that last exactly that long: an agency system's token without a refresh token, a civil servant's tokens, and a
 * refresh token used once.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { assertionClients, CLIENT_ASSERTION_TYPE, developmentClientAssertion, developmentPortalLogin } from './dev-clients.ts';
import { developmentPassword, loadRealmExport } from './realm.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';

const realm = await loadRealmExport();
const rawRealm = JSON.parse(await readFile(new URL('../realm-export.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');

/** The README's table: token → seconds. */
function statedLifetimes(): Map<string, number> {
  const section = readme.slice(readme.indexOf('## Token lifetimes'), readme.indexOf('\n## ', readme.indexOf('## Token lifetimes') + 1));
  const rows = [...section.matchAll(/^\| ([^|]+) \| (\d+) s \| [^|]+ \|$/gm)];
  return new Map(rows.map((row) => [row[1]!.trim(), Number(row[2])]));
}

const systemLifespans = [
  ...new Set(assertionClients(realm).map((c) => realm.clients.find((x) => x.clientId === c.clientId)!.attributes['access.token.lifespan'])),
];

describe('token lifetimes (keycloak/README.md)', () => {
  it('the table states the realm export', () => {
    assert.deepEqual(systemLifespans.length, 1, 'every agency-system client has the same access.token.lifespan');
    assert.deepEqual(
      statedLifetimes(),
      new Map([
        ['access token of an agency system (client credentials)', Number(systemLifespans[0])],
        ['access token of a civil servant (portal login)', realm.accessTokenLifespan],
        ['ID token (portal login)', realm.accessTokenLifespan],
        ['refresh token (portal login)', realm.ssoSessionIdleTimeout],
        ['login session, however often refreshed', realm.ssoSessionMaxLifespan],
        ['authorization code', realm.accessCodeLifespan],
        ['login page, from the authorization request to the submitted form', realm.accessCodeLifespanLogin],
      ]),
    );
    // What the prose says about refresh tokens.
    assert.equal(rawRealm.revokeRefreshToken, true);
    assert.equal(rawRealm.refreshTokenMaxReuse, 0);
    for (const { clientId } of assertionClients(realm)) {
      assert.equal(realm.clients.find((c) => c.clientId === clientId)!.attributes['client_credentials.use_refresh_token'], 'false', clientId);
    }
  });

  describe('the development issuer signs tokens of those lifetimes', () => {
    let issuer: RunningDevIssuer;
    before(async () => {
      issuer = await startDevIssuer({ DEV_ISSUER_PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, { realm });
    });
    after(async () => issuer?.close());
    const stated = statedLifetimes();
    const lifetime = (jwt: string) => {
      const { exp, iat } = decodeJwt(jwt);
      return exp! - iat!;
    };

    it('an agency system: a 300 s access token and no refresh token', async () => {
      const tokenEndpoint = `${issuer.issuer}/protocol/openid-connect/token`;
      const response = await fetch(tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'sotaichinh-h41-dkkd',
          client_assertion_type: CLIENT_ASSERTION_TYPE,
          client_assertion: await developmentClientAssertion(realm, 'sotaichinh-h41-dkkd', tokenEndpoint),
        }),
      });
      const body = (await response.json()) as { access_token: string; expires_in: number; refresh_token?: string; refresh_expires_in: number };
      assert.equal(response.status, 200, JSON.stringify(body));
      const expected = stated.get('access token of an agency system (client credentials)');
      assert.equal(body.expires_in, expected);
      assert.equal(lifetime(body.access_token), expected);
      assert.equal(body.refresh_token, undefined);
      assert.equal(body.refresh_expires_in, 0);
    });

    it('a civil servant: access and ID tokens of 300 s, a refresh token of 1800 s that is used once', async () => {
      const user = realm.users.find((u) => u.username === 'hoa.vo')!;
      const tokens = await developmentPortalLogin(issuer.issuer, user.username, developmentPassword(user)!);
      assert.equal(lifetime(tokens.accessToken), stated.get('access token of a civil servant (portal login)'));
      assert.equal(lifetime(tokens.idToken), stated.get('ID token (portal login)'));

      const refresh = (refreshToken: string) =>
        fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'lgsp-portal', refresh_token: refreshToken }),
        });
      const refreshed = await refresh(tokens.refreshToken);
      const body = (await refreshed.json()) as { access_token: string; refresh_token: string; refresh_expires_in: number };
      assert.equal(refreshed.status, 200, JSON.stringify(body));
      assert.equal(body.refresh_expires_in, stated.get('refresh token (portal login)'));
      assert.equal(lifetime(body.access_token), stated.get('access token of a civil servant (portal login)'));
      assert.notEqual(body.refresh_token, tokens.refreshToken, 'a new refresh token with each refresh');
      const reused = await refresh(tokens.refreshToken);
      assert.equal(reused.status, 400, 'the first refresh token was used once');
      assert.equal(((await reused.json()) as { error: string }).error, 'invalid_grant');
    });
  });
});
