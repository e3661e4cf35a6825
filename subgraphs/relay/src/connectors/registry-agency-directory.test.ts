/**
 * The registry-backed agency directory against a real HTTP server serving the registry's two endpoints: the rule per
 * environment, ETag revalidation, the timer, and what happens when the registry cannot be reached (the last good
 * copy kept; refused when there never was one).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createLogger, createMetricsRegistry, ErrorCode, LgspError } from '@lgsp/kit';
import { startTestRegistry, sleep, type TestRegistry, type TestRegistryData } from '../testing.ts';
import { createRegistryAgencyDirectory, type RegistryAgencyDirectory } from './registry-agency-directory.ts';

const P = '000.00.03.H41';
const C1 = '000.00.04.H41';
const C2 = '000.00.05.H41';
const M = '000.00.06.H41';

const agency = (code: string, status = 'ACTIVE', successorCodes: string[] = []) => ({
  code,
  name: `Cơ quan ${code}`,
  shortName: null,
  parentCode: code === C2 ? P : null,
  status,
  successorCodes,
  effectiveFrom: null,
});

function data(): TestRegistryData {
  return {
    agencies: { version: 1, items: [agency(P), agency(C1), agency(C2), agency(M, 'MERGED', [C1])] },
    routes: {
      production: { version: 1, items: [{ dataType: 'EDXML_DOCUMENT', provider: P, participants: [C1] }] },
      test: { version: 1, items: [{ dataType: 'EDXML_DOCUMENT', provider: P, participants: [C1, C2] }] },
    },
  };
}

describe('registry agency directory (HTTP client of /internal/v1/agencies and /internal/v1/relay/routes)', () => {
  let registry: TestRegistry | undefined;
  let directory: RegistryAgencyDirectory | undefined;
  const logs: Array<Record<string, any>> = [];
  const logger = createLogger('relay', 'info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  afterEach(async () => {
    directory?.close();
    await registry?.stop();
    logs.length = 0;
  });

  const open = (
    r: TestRegistry,
    options: { refreshMs?: number; now?: () => number; token?: string; metrics?: ReturnType<typeof createMetricsRegistry> } = {},
  ) =>
    (directory = createRegistryAgencyDirectory({
      baseUrl: r.url,
      token: options.token ?? r.token,
      refreshMs: options.refreshMs ?? 60_000,
      logger,
      now: options.now,
      metrics: options.metrics,
    }));

  it('reads the agencies and applies the routes of each environment', async () => {
    registry = await startTestRegistry(data());
    const d = open(registry);
    await d.start();
    assert.equal((await d.get(P))?.name, `Cơ quan ${P}`);
    assert.deepEqual((await d.get(M))?.successorCodes, [C1]);
    assert.deepEqual(
      (await d.children(P)).map((a) => a.code),
      [C2],
    );
    assert.deepEqual(
      (await d.search(C1, 5)).map((a) => a.code),
      [C1],
    );
    assert.equal(await d.mayReceive(P, C1, 'EDXML_DOCUMENT', 'production'), true);
    assert.equal(await d.refusal(P, C2, 'EDXML_DOCUMENT', 'production'), 'RECIPIENT_NOT_ALLOWED');
    assert.equal(await d.mayReceive(P, C2, 'EDXML_DOCUMENT', 'test'), true);
    assert.equal(await d.refusal(P, C1, 'JSON', 'production'), 'DATA_TYPE_NOT_ALLOWED');
    assert.equal(await d.refusal(P, M, 'EDXML_DOCUMENT', 'production'), 'RECIPIENT_NOT_ACTIVE');
    assert.deepEqual(registry.requests.map((r) => r.path).sort(), [
      '/internal/v1/agencies',
      '/internal/v1/relay/routes?environment=production',
      '/internal/v1/relay/routes?environment=test',
    ]);
  });

  it('revalidates with If-None-Match: 304 while unchanged, the new version once the registry changes', async () => {
    registry = await startTestRegistry(data());
    const d = open(registry);
    await d.start();
    registry.requests.length = 0;
    await d.refresh();
    assert.deepEqual(
      registry.requests.map((r) => [r.ifNoneMatch, r.status]),
      [
        ['"1"', 304],
        ['"1"', 304],
        ['"1"', 304],
      ],
    );
    // An access request goes live: C2 joins the production route.
    registry.data.routes.production = { version: 2, items: [{ dataType: 'EDXML_DOCUMENT', provider: P, participants: [C1, C2] }] };
    assert.equal(await d.mayReceive(P, C2, 'EDXML_DOCUMENT', 'production'), false, 'not before the next revalidation');
    await d.refresh();
    assert.equal(await d.mayReceive(P, C2, 'EDXML_DOCUMENT', 'production'), true);
    assert.equal(d.status().routes.production.version, 2);
  });

  it('revalidates every refreshMs on its own', async () => {
    registry = await startTestRegistry(data());
    const d = open(registry, { refreshMs: 50 });
    await d.start();
    registry.data.agencies = { version: 2, items: [agency(P), agency(C1, 'DISSOLVED'), agency(C2), agency(M, 'MERGED', [C1])] };
    const deadline = Date.now() + 2_000;
    while ((await d.refusal(P, C1, 'EDXML_DOCUMENT', 'production')) === null && Date.now() < deadline) await sleep(20);
    assert.equal(await d.refusal(P, C1, 'EDXML_DOCUMENT', 'production'), 'RECIPIENT_NOT_ACTIVE');
  });

  it('keeps the last good copy while the registry is unreachable, failing or breaking the contract, and says so once', async () => {
    registry = await startTestRegistry(data());
    const metrics = createMetricsRegistry('relay');
    const d = open(registry, { metrics });
    await d.start();
    await registry.stop();
    await d.refresh();
    await d.refresh();
    assert.equal(await d.mayReceive(P, C1, 'EDXML_DOCUMENT', 'production'), true, 'the last copy still answers');
    assert.match(d.status().agencies.failure ?? '', /fetch failed/);
    const warnings = logs.filter((l) => l.msg === 'registry unreachable: the relay keeps its last copy of the agency directory');
    assert.equal(warnings.length, 3, `one warning per resource and outage, not per attempt: ${JSON.stringify(logs)}`);
    assert.ok(!logs.some((l) => l.level === 'error'), 'no error: the relay still works');
    assert.match(await metrics.metrics(), /lgsp_relay_directory_stale_seconds\{[^}]*\} \d/);

    await registry.start();
    registry.failWith = 503;
    await d.refresh();
    assert.match(d.status().routes.test.failure ?? '', /HTTP 503/);
    registry.failWith = null;
    registry.brokenBody = { version: 'two', items: 'none' };
    registry.data.agencies.version = 3; // a new version, but a body that is not the contract's
    await d.refresh();
    assert.equal(d.status().agencies.failure, 'the answer is not the registry contract');
    assert.equal(d.status().agencies.version, 1);
    assert.equal(await d.mayReceive(P, C1, 'EDXML_DOCUMENT', 'production'), true);
    registry.brokenBody = null;
    await d.refresh();
    assert.deepEqual(d.status().agencies, { version: 3, confirmedAt: d.status().agencies.confirmedAt, failure: null });
    assert.ok(logs.some((l) => l.msg === 'registry reachable again: agency directory up to date'));
  });

  it('refuses with DIRECTORY_UNAVAILABLE while it never had a copy, asks again on demand, and serves once the registry answers', async () => {
    registry = await startTestRegistry(data(), { listening: false });
    let clock = 1_000_000;
    const metrics = createMetricsRegistry('relay');
    const d = open(registry, { now: () => clock, metrics });
    await d.start(); // resolves: the relay starts without its registry
    const refused = await d.get(P).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof LgspError);
    assert.equal(refused.code, ErrorCode.UPSTREAM_UNAVAILABLE);
    assert.equal(refused.details?.reason, 'DIRECTORY_UNAVAILABLE');
    assert.match(refused.message, /registry/);
    await assert.rejects(d.mayReceive(P, C1, 'EDXML_DOCUMENT', 'production'), (e: LgspError) => e.details?.reason === 'DIRECTORY_UNAVAILABLE');
    assert.ok(
      logs.some((l) => l.level === 'error' && /no agency directory loaded yet/.test(l.msg)),
      'an error: the operator must act',
    );
    assert.match(await metrics.metrics(), /lgsp_relay_directory_stale_seconds\{[^}]*\} -1/);

    await registry.start();
    const asked = registry.requests.length;
    await assert.rejects(d.get(P), 'within a second of the last attempt the registry is not asked again');
    assert.equal(registry.requests.length, asked);
    clock += 1_000;
    assert.equal((await d.get(P))?.code, P);
    assert.equal(await d.mayReceive(P, C1, 'EDXML_DOCUMENT', 'production'), true);
  });

  it('counts a refused token as the registry failing, naming the status', async () => {
    registry = await startTestRegistry(data());
    const d = open(registry, { token: 'not-the-registry-token-of-32-characters' });
    await d.start();
    await assert.rejects(d.get(P), (e: LgspError) => e.details?.reason === 'DIRECTORY_UNAVAILABLE' && /HTTP 401/.test(e.message));
  });
});
