/**
 * The health module with real parts: the simulator's fake agency systems answer over HTTP, the monitoring pulls them
 * at their agreed interval; one stops answering and turns OFFLINE with the event, the metric and its transition in
 * the history. Pushed reports: accepted, forged and replayed ones refused with their codes. The authorization matrix.
 * Retention trimming with a moved clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { topics } from '@lgsp/events';
import type { Principal } from '@lgsp/kit';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import type { HealthModuleState } from './index.ts';
import { matrix } from './authorization.table.ts';
import {
  adminOf,
  citizenOf,
  civilServantOf,
  eventually,
  OPERATOR,
  staticRegistry,
  startMonitoringHarness,
  systemOf,
  type MonitoringHarness,
} from '../testing.ts';
import type { SystemRecord } from '../registry-client.ts';

const AGENCY = '000.00.04.H41';
const STEADY = `${AGENCY}:ho-tich-dien-tu`;
const FAILING = `${AGENCY}:mot-cua`;
const HANGING = '000.00.03.H41:dang-ky-kinh-doanh';
const PUSHER = `${AGENCY}:pushing-system`;

describe('health of connected systems', () => {
  let sim: RunningSimulator;
  let h: MonitoringHarness;
  let clock = Date.now();
  const system = (id: string, levels: Array<1 | 2>): SystemRecord => {
    const urls = sim.agencySystemEndpoints(id);
    return {
      id,
      agencyCode: id.split(':')[0]!,
      name: id,
      environments: ['production'],
      healthEndpoints: levels.map((level) => ({ level, url: level === 1 ? urls.live : urls.ready, intervalSeconds: 1 })),
    };
  };
  const health = () => h.running.modules.health as HealthModuleState;

  before(async () => {
    sim = await startSimulator({
      PORT: 0,
      LOG_LEVEL: 'silent',
      SIMULATOR_CITIZENS: 20,
      SIMULATOR_ENTERPRISES: 20,
      SIMULATOR_TEST_CITIZENS: 20,
      SIMULATOR_TEST_ENTERPRISES: 20,
    });
    sim.setAgencySystem(HANGING, 'HANG');
    const registry = staticRegistry([
      system(STEADY, [1, 2]),
      system(FAILING, [1, 2]),
      system(HANGING, [1]),
      { id: PUSHER, agencyCode: AGENCY, name: 'pushes', environments: ['production'], healthEndpoints: [] },
    ]);
    h = await startMonitoringHarness(
      { HEALTH_POLL: 'true', HEALTH_MIN_INTERVAL_SECONDS: '1', HEALTH_TIMEOUT_MS: '400', HEALTH_FAILURES_OFFLINE: '2', HEALTH_CONCURRENCY: '4' },
      { registry, now: () => new Date(clock) },
    );
    setInterval(() => {
      clock = Math.max(clock, Date.now());
    }, 20).unref();
  });
  after(async () => {
    await h?.close();
    await sim?.close();
  });

  const status = async (id: string) => (await health().store.state(id))?.status;

  it('a real system that stops answering turns OFFLINE, with the event, the metric and the transition in its history', async () => {
    await eventually('both systems online', async () => (await status(STEADY)) === 'ONLINE' && (await status(FAILING)) === 'ONLINE');
    const from = new Date(Date.now() - 60_000).toISOString();
    sim.setAgencySystem(FAILING, 'REFUSE');
    await eventually('the failing system offline', async () => (await status(FAILING)) === 'OFFLINE');
    // The other systems are not held up by it, nor by the one that never answers.
    assert.equal(await status(STEADY), 'ONLINE', JSON.stringify((await health().store.state(STEADY))?.latest));
    // The one that never answers turns OFFLINE on its own timeouts (each check waits HEALTH_TIMEOUT_MS; under load, later).
    await eventually('the hanging system offline', async () => (await status(HANGING)) === 'OFFLINE');

    const events = h.events.read(topics.systemHealthChanged(AGENCY)).map((e) => e.fields);
    const offline = events.find((e) => e.systemId === FAILING && e.status === 'OFFLINE');
    assert.ok(offline, JSON.stringify(events));
    // Its level-2 check may fail first (DEGRADED: it answers level 1 still), then level 1 twice (OFFLINE).
    assert.ok(['ONLINE', 'DEGRADED'].includes(offline.previousStatus!), offline.previousStatus);
    assert.equal(offline.source, 'pull');
    assert.match(offline.at!, /^\d{4}-\d{2}-\d{2}T/);

    const metrics = await (await fetch(`${h.running.origin}/metrics`)).text();
    assert.match(metrics, new RegExp(`lgsp_monitoring_system_up\\{system="${FAILING}",agency="${AGENCY}"[^}]*\\} 0`));
    assert.match(metrics, new RegExp(`lgsp_monitoring_system_up\\{system="${STEADY}",agency="${AGENCY}"[^}]*\\} 1`));
    assert.match(metrics, /lgsp_monitoring_system_transitions_total\{agency="000.00.04.H41",status="OFFLINE"/);

    const answer = await h.gql(
      OPERATOR,
      'query($id: ID!, $from: DateTime!, $to: DateTime!) { healthHistory(systemId: $id, from: $from, to: $to) { transitions { from to source level detail } samples { level status } days { day upSeconds downSeconds samples failures } } }',
      {
        id: FAILING,
        from,
        to: new Date(Date.now() + 60_000).toISOString(),
      },
    );
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const history = answer.data!.healthHistory;
    const steps = history.transitions.map((t: { from: string; to: string }) => `${t.from}→${t.to}`);
    assert.equal(steps[0], 'UNKNOWN→ONLINE');
    assert.match(steps.at(-1), /^(ONLINE|DEGRADED)→OFFLINE$/);
    assert.equal(history.transitions.at(-1).source, 'PULL');
    assert.ok(history.samples.some((s: { status: string }) => s.status === 'DOWN'));
    assert.ok(history.days[0].failures >= 2 && history.days[0].samples >= 4, JSON.stringify(history.days));

    // It comes back: one answered check is enough.
    sim.setAgencySystem(FAILING, 'UP');
    await eventually('the failing system back online', async () => (await status(FAILING)) === 'ONLINE');
  });

  it('a level-2 answer with a failing dependency makes an answering system DEGRADED', async () => {
    sim.setAgencySystem(STEADY, 'DEGRADED');
    await eventually('degraded', async () => (await status(STEADY)) === 'DEGRADED');
    const answer = await h.gql(
      adminOf(AGENCY),
      `query { systemsHealth(agency: "${AGENCY}") { agencyCode systems { systemId status levels { level status checks { name status detail } } } relayLastSeenAt relaySystems { systemId } } }`,
    );
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const steady = answer.data!.systemsHealth.systems.find((s: { systemId: string }) => s.systemId === STEADY);
    assert.equal(steady.status, 'DEGRADED');
    const level2 = steady.levels.find((l: { level: number }) => l.level === 2);
    assert.deepEqual(level2.checks.find((c: { name: string }) => c.name === 'cache').status, 'DEGRADED');
    // Registered but never checked nor reported: listed as UNKNOWN.
    assert.equal(answer.data!.systemsHealth.systems.find((s: { systemId: string }) => s.systemId === PUSHER).status, 'UNKNOWN');
    sim.setAgencySystem(STEADY, 'UP');
  });

  describe('pushed reports', () => {
    const REPORT =
      'mutation($input: SystemHealthReportInput!) { reportSystemHealth(input: $input) { systemId status consecutiveFailures levels { source status } } }';
    let n = 0;
    const input = (overrides: Record<string, unknown> = {}) => ({
      systemId: PUSHER,
      level: 1,
      status: 'UP',
      checks: [],
      observedAt: new Date(clock).toISOString(),
      nonce: `nonce-${process.pid}-${(n += 1)}-abcdefgh`,
      ...overrides,
    });
    const pusher = systemOf(AGENCY, 'pushing-system');
    const code = (answer: { errors?: Array<{ extensions?: Record<string, any> }> }) => answer.errors?.[0]?.extensions?.code;

    it('the system reporting its own health is accepted', async () => {
      const answer = await h.gql(pusher, REPORT, { input: input() });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.equal(answer.data!.reportSystemHealth.status, 'ONLINE');
      assert.equal(answer.data!.reportSystemHealth.levels[0].source, 'PUSH');
      const down = await h.gql(pusher, REPORT, {
        input: input({
          level: 2,
          status: 'DEGRADED',
          checks: [{ name: 'database', status: 'DOWN', detail: 'replica lag' }],
          observedAt: new Date(clock + 1).toISOString(),
        }),
      });
      assert.equal(down.errors, undefined, JSON.stringify(down.errors));
      assert.equal(down.data!.reportSystemHealth.status, 'DEGRADED');
    });

    it('a forged report (another system, a person, another agency) is INVALID_HEALTH_REPORT', async () => {
      assert.equal(code(await h.gql(systemOf(AGENCY, 'ho-tich-dien-tu'), REPORT, { input: input() })), 'INVALID_HEALTH_REPORT');
      assert.equal(code(await h.gql(adminOf(AGENCY), REPORT, { input: input() })), 'INVALID_HEALTH_REPORT');
      assert.equal(code(await h.gql(systemOf('000.00.03.H41', 'pushing-system'), REPORT, { input: input() })), 'INVALID_HEALTH_REPORT');
      // Its own system id, but not registered.
      const unregistered = systemOf(AGENCY, 'unknown-system');
      assert.equal(code(await h.gql(unregistered, REPORT, { input: input({ systemId: `${AGENCY}:unknown-system` }) })), 'INVALID_HEALTH_REPORT');
    });

    it('malformed and stale reports are INVALID_HEALTH_REPORT or INVALID_DATE', async () => {
      assert.equal(code(await h.gql(pusher, REPORT, { input: input({ level: 3 }) })), 'INVALID_HEALTH_REPORT');
      assert.equal(code(await h.gql(pusher, REPORT, { input: input({ nonce: 'short' }) })), 'INVALID_HEALTH_REPORT');
      assert.equal(code(await h.gql(pusher, REPORT, { input: input({ observedAt: new Date(clock - 3_600_000).toISOString() }) })), 'INVALID_HEALTH_REPORT');
      assert.equal(code(await h.gql(pusher, REPORT, { input: input({ observedAt: 'now' }) })), 'INVALID_DATE');
    });

    it('a replayed report (nonce seen, or not newer than the last) is REPLAYED_REQUEST and changes nothing', async () => {
      const base = clock + 10;
      const first = input({ observedAt: new Date(base).toISOString() });
      assert.equal((await h.gql(pusher, REPORT, { input: first })).errors, undefined);
      const before = await health().store.state(PUSHER);
      assert.equal(code(await h.gql(pusher, REPORT, { input: { ...first, observedAt: new Date(base + 10).toISOString() } })), 'REPLAYED_REQUEST');
      assert.equal(code(await h.gql(pusher, REPORT, { input: input({ observedAt: new Date(base - 5).toISOString(), status: 'DOWN' }) })), 'REPLAYED_REQUEST');
      assert.deepEqual(await health().store.state(PUSHER), before);
      const metrics = await (await fetch(`${h.running.origin}/metrics`)).text();
      assert.match(metrics, /lgsp_monitoring_health_reports_total\{outcome="replayed"[^}]*\} 2/);
    });

    it('every pushed report, accepted or refused, is an operation record naming the reporting system', async () => {
      const records = (await h.ownRecords()).filter((r) => r.action === 'health-report');
      const accepted = records.filter((r) => r.outcome === 'success');
      assert.ok(accepted.length >= 3, `${accepted.length} accepted reports recorded`);
      for (const r of accepted) {
        assert.deepEqual([r.kind, r.agency, r.system, r.entityId, r.operationType, r.errorCodes], ['operation', AGENCY, PUSHER, PUSHER, 'mutation', []]);
        assert.ok(r.requestId !== null && r.requestId !== '', 'the request id ties it to the gateway record');
      }
      assert.deepEqual(
        accepted.slice(0, 2).map((r) => [r.details.level, r.details.reportedStatus, r.details.systemStatus]),
        [
          [1, 'UP', 'ONLINE'],
          [2, 'DEGRADED', 'DEGRADED'],
        ],
      );
      const forged = records.find((r) => r.system === `${AGENCY}:ho-tich-dien-tu`)!;
      assert.deepEqual(
        [forged.outcome, forged.errorCodes, forged.entityId, forged.details.systemStatus],
        ['rejected', ['INVALID_HEALTH_REPORT'], PUSHER, null],
      );
      assert.equal(records.filter((r) => r.errorCodes.includes('REPLAYED_REQUEST')).length, 2);
      assert.ok(records.some((r) => r.errorCodes.includes('INVALID_DATE') && r.details.observedAt === 'now'));
    });
  });

  const callers: Record<string, Principal> = {
    operator: OPERATOR,
    'agency admin': adminOf(AGENCY),
    'the system': systemOf(AGENCY, 'pushing-system'),
    'other agency admin': adminOf('000.00.03.H41'),
    'civil servant': civilServantOf(AGENCY),
    citizen: citizenOf('040200001234'),
  };
  for (const row of matrix) {
    for (const [name, expected] of Object.entries(row.outcomes)) {
      it(`${row.operation} by ${name}: ${expected}`, async () => {
        const principal = callers[name]!;
        const now = new Date(clock + 1000 + Math.floor(Math.random() * 1000));
        const answer = row.operation.startsWith('systemsHealth')
          ? await h.gql(principal, `{ systemsHealth(agency: "${AGENCY}") { agencyCode } }`)
          : row.operation.startsWith('availability')
            ? await h.gql(principal, `query($to: DateTime!) { availability(systemId: "${STEADY}", from: "2026-01-01T00:00:00Z", to: $to) { percent } }`, {
                to: now.toISOString(),
              })
            : await h.gql(principal, 'mutation($input: SystemHealthReportInput!) { reportSystemHealth(input: $input) { status } }', {
                input: {
                  systemId: PUSHER,
                  level: 1,
                  status: 'UP',
                  checks: [],
                  observedAt: now.toISOString(),
                  nonce: `matrix-${name.replace(/\W/g, '')}-${now.getTime()}`,
                },
              });
        if (expected === 'ok') assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
        else assert.equal(answer.errors?.[0]?.extensions?.code, expected);
      });
    }
  }

  it('availability is computed from the transitions', async () => {
    const answer = await h.gql(
      OPERATOR,
      `query($to: DateTime!) { availability(systemId: "${FAILING}", from: "2026-01-01T00:00:00Z", to: $to) { percent upSeconds downSeconds unknownSeconds } }`,
      {
        to: new Date(clock).toISOString(),
      },
    );
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const a = answer.data!.availability;
    assert.ok(a.percent > 0 && a.percent < 100, JSON.stringify(a));
    assert.ok(a.downSeconds > 0 && a.unknownSeconds > 0);
  });

  it('raw samples are trimmed after their retention; transitions and rollups are kept for the history', async () => {
    const state = health();
    await state.poller?.close(); // no new samples while the clock moves
    await state.tracker.idle();
    const before = await state.store.samples(FAILING, 0, Number.MAX_SAFE_INTEGER, 10_000);
    assert.ok(before.length > 0);
    const saved = clock;
    clock = saved + 8 * 86_400_000; // past the 7 days of raw samples
    try {
      const removed = await state.trim();
      assert.ok(removed.samples >= before.length, JSON.stringify(removed));
      assert.deepEqual(await state.store.samples(FAILING, 0, Number.MAX_SAFE_INTEGER, 10), []);
      assert.ok((await state.store.transitions(FAILING, 0, Number.MAX_SAFE_INTEGER)).length >= 2);
      assert.ok((await state.store.rollups(FAILING, '2000-01-01', '2100-01-01')).length >= 1);
      clock = saved + 101 * 86_400_000; // past the 100 days of history
      await state.trim();
      assert.deepEqual(await state.store.transitions(FAILING, 0, saved), []);
      assert.deepEqual(await state.store.rollups(FAILING, '2000-01-01', new Date(saved).toISOString().slice(0, 10)), []);
    } finally {
      clock = saved;
    }
  });
});
