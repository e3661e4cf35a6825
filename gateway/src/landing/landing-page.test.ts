/** The Sandbox landing page, prefilled for bearer authentication when a realm is configured. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry, createLogger } from '@lgsp/kit';
import { gatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { sandboxDocument } from './landing-page.ts';
import { startTestFederation } from '../testing/fixtures.ts';

const realmUrl = 'http://localhost:8080/realms/lgsp';
let federation: Awaited<ReturnType<typeof startTestFederation>>;
let gateway: RunningGateway;

before(async () => {
  federation = await startTestFederation({ authentication: { ...gatewayConfig().authentication, realmUrl } });
  gateway = await startGateway(federation.config, { issuer: federation.issuer, metrics: createMetricsRegistry('gateway'), logger: createLogger('gateway', 'silent') });
});
after(async () => {
  await gateway.close();
  await federation.cleanup();
});

describe('Sandbox landing page', () => {
  it('prefills the bearer header and says where the token comes from', async () => {
    const response = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /embeddable-sandbox/);
    assert.match(html, /"Authorization":"Bearer \\u003caccess token\\u003e"/);
    assert.ok(html.includes(`TOKEN_ENDPOINT=${realmUrl}/protocol/openid-connect/token`), 'the realm token endpoint');
    assert.match(html, /X-LGSP-Purpose/);
  });

  it('the prefilled placeholder, sent unchanged, gets a 401 that says what to send', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer <access token>' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    assert.match(body.errors[0]?.message ?? '', /Bearer must be followed by one access token/);
  });
});

describe('Sandbox document', () => {
  it('holds none of the characters Apollo Server fails to escape after their first occurrence', () => {
    for (const realm of [realmUrl, undefined]) assert.doesNotMatch(sandboxDocument(realm), /[<>&']/);
  });
});
