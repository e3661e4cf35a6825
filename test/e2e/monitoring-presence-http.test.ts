/**
 * The relay's presence in monitoring's health picture without a shared Redis (embedded mode, HEALTH_PRESENCE=http):
 * the relay answers `GET /internal/presence/<agency>` (EVENTS_PUBLISH_TOKEN) and monitoring's `systemsHealth` shows
 * it; a relay that does not answer leaves the presence out instead of failing the query. Real relay, real HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AGENCY_C, startHarness, type Harness } from '../../subgraphs/relay/src/testing.ts';
import { OPERATOR, startMonitoringHarness, type MonitoringHarness } from '../../subgraphs/monitoring/src/testing.ts';

const TOKEN = 'presence-route-test-secret-0123456789abcdef';
const LISTENER = `${AGENCY_C}:listener`;
const QUERY = `query($agency: String!) { systemsHealth(agency: $agency) { relayLastSeenAt relaySystems { systemId lastSeenAt } } }`;

describe("the relay's presence over HTTP for monitoring", () => {
  let relay: Harness;
  let monitoring: MonitoringHarness;
  let unreachable: MonitoringHarness;

  before(async () => {
    relay = await startHarness({ EVENTS_PUBLISH_TOKEN: TOKEN });
    monitoring = await startMonitoringHarness({ HEALTH_PRESENCE: 'http', RELAY_URL: relay.relay.origin, EVENTS_PUBLISH_TOKEN: TOKEN });
    unreachable = await startMonitoringHarness({ HEALTH_PRESENCE: 'http', RELAY_URL: 'http://127.0.0.1:9', EVENTS_PUBLISH_TOKEN: TOKEN });
  });
  after(async () => {
    await Promise.allSettled([monitoring?.close(), unreachable?.close()]);
    await relay?.close();
  });

  it('serves an agency’s presence to the holder of the secret only; a malformed agency is BAD_USER_INPUT', async () => {
    const before = Date.now();
    const report = await fetch(`${relay.relay.origin}/internal/presence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ systems: [{ agencyCode: AGENCY_C, systemId: LISTENER }], heldForMs: 60_000 }),
    });
    assert.equal(report.status, 204);
    const answer = await fetch(`${relay.relay.origin}/internal/presence/${AGENCY_C}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { agency: string; lastSeenMs: number; systems: Array<{ systemId: string; lastSeenMs: number }> };
    assert.equal(body.agency, AGENCY_C);
    assert.deepEqual(
      body.systems.map((s) => s.systemId),
      [LISTENER],
    );
    assert.ok(body.lastSeenMs >= before, 'held: seen now');
    assert.equal((await fetch(`${relay.relay.origin}/internal/presence/${AGENCY_C}`)).status, 401);
    assert.equal((await fetch(`${relay.relay.origin}/internal/presence/${AGENCY_C}`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const bad = await fetch(`${relay.relay.origin}/internal/presence/${encodeURIComponent('a b')}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'BAD_USER_INPUT');
  });

  it('shows the presence beside the systems’ health in monitoring, and leaves it out when the relay does not answer', async () => {
    const shown = await monitoring.gql(OPERATOR, QUERY, { agency: AGENCY_C });
    assert.equal(shown.errors, undefined, JSON.stringify(shown.errors));
    assert.deepEqual(
      shown.data!.systemsHealth.relaySystems.map((s: { systemId: string }) => s.systemId),
      [LISTENER],
    );
    assert.ok(Date.parse(shown.data!.systemsHealth.relayLastSeenAt) > Date.now() - 60_000);
    const missing = await unreachable.gql(OPERATOR, QUERY, { agency: AGENCY_C });
    assert.equal(missing.errors, undefined, JSON.stringify(missing.errors));
    assert.deepEqual(missing.data!.systemsHealth, { relayLastSeenAt: null, relaySystems: [] });
  });
});
