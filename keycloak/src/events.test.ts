/**
 * The development issuer records login and admin events as Keycloak does with `eventsEnabled` and
 * `adminEventsEnabled`, and serves them at Keycloak's Admin REST API paths to a caller holding `view-events`.
 * Real HTTP, real tokens.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { configSchema } from './config.ts';
import { developmentPassword } from './realm.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';

let issuer: RunningDevIssuer;
const REGISTRY = 'lgsp-registry';

before(async () => {
  issuer = await startDevIssuer(configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
});
after(async () => {
  await issuer.close();
});

const secretOf = (clientId: string): string => issuer.realm.clients.find((c) => c.clientId === clientId)!.secret!;

async function clientToken(clientId: string, secret: string): Promise<Response> {
  return fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
}

async function adminToken(): Promise<string> {
  const response = await clientToken(REGISTRY, secretOf(REGISTRY));
  assert.equal(response.status, 200);
  return String(((await response.json()) as { access_token: string }).access_token);
}

async function adminGet(path: string, token: string): Promise<Response> {
  return fetch(`${issuer.url}/admin/realms/lgsp/${path}`, { headers: { authorization: `Bearer ${token}` } });
}

interface Event {
  id: string;
  time: number;
  type: string;
  realmId: string;
  clientId: string | null;
  userId: string | null;
  ipAddress: string | null;
  error?: string;
  details: Record<string, string>;
}

describe('development issuer: login and admin events', () => {
  it('records a client login and a failed one, and serves them newest first, filtered and paged', async () => {
    const since = Date.now();
    const token = await adminToken();
    assert.equal((await clientToken(REGISTRY, 'not-the-secret')).status, 401);
    assert.equal((await clientToken('no-such-client', 'x')).status, 401);

    const answer = await adminGet(`events?dateFrom=${since}`, token);
    assert.equal(answer.status, 200);
    const events = (await answer.json()) as Event[];
    assert.deepEqual(
      events.map((e) => [e.type, e.clientId, e.error ?? null]),
      [
        ['CLIENT_LOGIN_ERROR', 'no-such-client', 'client_not_found'],
        ['CLIENT_LOGIN_ERROR', REGISTRY, 'invalid_client_credentials'],
        ['CLIENT_LOGIN', REGISTRY, null],
      ],
    );
    const login = events[2]!;
    const serviceAccount = issuer.realm.users.find((u) => u.serviceAccountClientId === REGISTRY)!;
    assert.equal(login.userId, serviceAccount.id);
    assert.equal(login.realmId, 'lgsp');
    assert.equal(login.ipAddress, '127.0.0.1');
    assert.deepEqual(
      [login.details.grant_type, login.details.client_auth_method, login.details.username],
      ['client_credentials', 'client-secret', serviceAccount.username],
    );
    assert.ok(login.time >= since && typeof login.id === 'string');

    const oldestFirst = (await (await adminGet(`events?dateFrom=${since}&direction=asc&type=CLIENT_LOGIN_ERROR&max=1&first=1`, token)).json()) as Event[];
    assert.deepEqual(
      oldestFirst.map((e) => e.clientId),
      ['no-such-client'],
    );
    const byClient = (await (await adminGet(`events?dateFrom=${since}&client=${REGISTRY}&type=CLIENT_LOGIN`, token)).json()) as Event[];
    assert.equal(byClient.length, 1);
    const today = new Date().toISOString().slice(0, 10);
    assert.ok(((await (await adminGet(`events?dateFrom=${today}&dateTo=${today}`, token)).json()) as Event[]).length >= 3);
    const bad = await adminGet('events?dateFrom=yesterday', token);
    assert.equal(bad.status, 400);
  });

  it('records a failed and a successful sign-in on the login page', async () => {
    const since = Date.now();
    const user = issuer.realm.users.find((u) => u.username === 'hoa.vo')!;
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'lgsp-portal',
      response_type: 'code',
      redirect_uri: 'http://localhost:4000/portal/callback',
      scope: 'openid',
      state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const cookies = new Map<string, string>();
    const keep = (r: Response) => {
      for (const line of r.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return r;
    };
    const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const start = keep(await fetch(authorize, { redirect: 'manual' }));
    const loginUrl = new URL(start.headers.get('location')!, authorize).href;
    const html = await keep(await fetch(loginUrl, { headers: { cookie: cookie() } })).text();
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&'), loginUrl).href;
    const csrf = /name="csrf_token" value="([^"]*)"/.exec(html)![1]!;
    const submit = (password: string) =>
      fetch(action, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
        body: new URLSearchParams({ csrf_token: csrf, username: 'hoa.vo', password, action: 'login' }),
      });
    assert.equal((await submit('Wrong-Pass#2025')).status, 200);
    assert.equal((await submit(developmentPassword(user) ?? '')).status, 303);

    const events = (await (await adminGet(`events?dateFrom=${since}&direction=asc&client=lgsp-portal`, await adminToken())).json()) as Event[];
    assert.deepEqual(
      events.map((e) => [e.type, e.userId, e.error ?? null, e.details.username]),
      [
        ['LOGIN_ERROR', user.id, 'invalid_user_credentials', 'hoa.vo'],
        ['LOGIN', user.id, null, 'hoa.vo'],
      ],
    );
  });

  it('records admin events of changes without secrets, and serves events only with view-events', async () => {
    const since = Date.now();
    const token = await adminToken();
    const created = await fetch(`${issuer.url}/admin/realms/lgsp/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'events-test-client', secret: 'a-secret-never-in-events', serviceAccountsEnabled: true }),
    });
    assert.equal(created.status, 201);
    const id = created.headers.get('location')!.split('/').at(-1)!;
    // Without view-events (taken from the registry's service account for a moment): 403, as Keycloak answers.
    const account = issuer.realm.users.find((u) => u.serviceAccountClientId === REGISTRY)!;
    const held = account.clientRoles['realm-management']!;
    account.clientRoles['realm-management'] = held.filter((r) => r !== 'view-events');
    try {
      assert.equal((await adminGet('events', token)).status, 403);
      assert.equal((await adminGet('admin-events', token)).status, 403);
    } finally {
      account.clientRoles['realm-management'] = held;
    }
    assert.equal((await adminGet('events', 'not-a-token')).status, 401);
    assert.equal(
      (await fetch(`${issuer.url}/admin/realms/lgsp/clients/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status,
      204,
    );
    const answer = await adminGet(`admin-events?dateFrom=${since}&direction=asc&resourceTypes=CLIENT`, token);
    assert.equal(answer.status, 200);
    const text = await answer.text();
    assert.equal(text.includes('a-secret-never-in-events'), false);
    const events = JSON.parse(text) as Array<{ operationType: string; resourcePath: string; authDetails: { clientId: string; userId: string } }>;
    assert.deepEqual(
      events.map((e) => [e.operationType, e.resourcePath]),
      [
        ['CREATE', `clients/${id}`],
        ['DELETE', `clients/${id}`],
      ],
    );
    assert.equal(events[0]!.authDetails.clientId, issuer.realm.clients.find((c) => c.clientId === REGISTRY)!.id);
  });
});
