/**
 * Issue 17's "Done when", end to end on the real platform with Redis (the fixture's processes, one key prefix) and real
 * tokens of the development issuer:
 * 1. the Department of Justice's civil-status system reads a citizen through the gateway with a declared purpose;
 *    the operator finds the read by the citizen's personal ID (`personalDataAccesses`) with agency, system and purpose,
 *    and national-data's `served` record of the same request id; the owner of the data (the Police's administrator)
 *    sees it too, an agency that is neither actor nor owner sees nothing, a system is refused (`FORBIDDEN`);
 * 2. a connected system registered with short health intervals stops answering (the simulator's fake agency-system
 *    endpoints) and turns OFFLINE: the agency's `systemHealthChanged` event over graphql-ws through the gateway,
 *    `lgsp_monitoring_system_up` 0 on monitoring's /metrics, the transition in its `healthHistory`;
 * 3. the month's report as PDF, downloaded through the gateway's `/reports/<token>`, read with poppler's `pdftotext`:
 *    intact Vietnamese and the `statistics` query's numbers for the same period and agency;
 * 4. an emergency maintenance window announced by the operator: 503 `UNDER_MAINTENANCE` with Retry-After for an
 *    agency system while the gateway's /health/live answers 200; served again once the operator ends it
 *    (test/e2e/maintenance.test.ts covers the announcement, notices and subscription with a moved clock);
 * 5. `npm run audit -- verify` (a child process on the same Redis and prefix) exits 0, then, once the lookup's record
 *    is edited in Redis, exits 1 naming that record's seq.
 * The backup drill (back up, wipe, restore, verify) is test/e2e/backup-drill.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { auditKeys, type AuditRecord } from '@lgsp/audit';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { METRIC_LABELS } from '../../subgraphs/monitoring/src/reports/report-data.ts';
import { startPlatformFixture, type GatewaySubscription, type PlatformFixture } from '../testing/platform-fixture.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const POLICE = '000.00.02.H41';
const JUSTICE = '000.00.04.H41';
const JUSTICE_SYSTEM_CLIENT = 'sotuphap-h41-hotich';
const JUSTICE_SYSTEM = `${JUSTICE}:ho-tich-dien-tu`;
/** Granted `national-data.citizen.basic` for civil-status purposes (development grants). */
const PURPOSE = 'civil-status:HT-2026-E2E-0017';
/** A system this test registers, pulled every second. */
const WATCHED = `${JUSTICE}:evidence-e2e`;
const METRICS = METRIC_LABELS.map((m) => m.metric);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Counts = Record<(typeof METRICS)[number], number>;
interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }>; extensions?: Record<string, any> };
}

/** Polls `probe` every 100 ms until it answers something other than undefined; fails naming `what` after `ms`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `1.234.567` → 1234567 (Vietnamese thousands separator). */
const viNumber = (text: string) => Number(text.replaceAll('.', ''));

/** The text of a PDF (poppler's pdftotext); a missing pdftotext fails with what to install. */
async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-evidence-'));
  const file = join(dir, 'report.pdf');
  try {
    await writeFile(file, pdf);
    return (await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      assert.fail('pdftotext is not installed: apt-get install poppler-utils (Debian) to check the PDF report');
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npm run --silent audit -- verify` against the platform's Redis and prefix: exit code and output. */
async function auditVerify(keyPrefix: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'audit', '--', 'verify'], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, MONITORING_URL: '', MONITORING_INTERNAL_TOKEN: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Edits one record's stored JSON in the audit stream, as someone with access to Redis would: a stream entry cannot be
 * changed in place, so the stream is rewritten with the same ids and that one entry changed, in one Lua script (atomic
 * against the platform's writers, which keep appending after it).
 */
const REWRITE_ONE = `
local entries = redis.call('XRANGE', KEYS[1], '-', '+')
redis.call('DEL', KEYS[1])
local found = 0
for _, e in ipairs(entries) do
  local json = e[2][2]
  if e[1] == ARGV[1] then json = ARGV[2]; found = 1 end
  redis.call('XADD', KEYS[1], e[1], 'record', json)
end
return found`;

describe('issue 17 done: evidence and operations on the real platform (Redis)', () => {
  let p: PlatformFixture;
  let redis: RedisClient;
  const tokens = { operator: '', policeAdmin: '', justiceAdmin: '', financeAdmin: '' };
  let personalId = '';
  let lookupRequestId = '';
  let lookupSeq = 0;
  const startedAt = new Date(Date.now() - 60_000).toISOString();

  async function gql(token: string, query: string, variables: Record<string, unknown> = {}, purpose: string | null = null): Promise<Answer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    };
    if (purpose !== null) headers['x-lgsp-purpose'] = purpose;
    const res = await fetch(p.platform.urls.gateway, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
  }
  async function data(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const answer = await gql(token, query, variables);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return answer.body.data!;
  }
  const now = () => new Date(Date.now() + 60_000).toISOString();

  before(async () => {
    p = await startPlatformFixture({
      redis: true,
      env: {
        // Monitoring: read new systems quickly, pull them every second, two failures make OFFLINE.
        REGISTRY_REFRESH_MS: '500',
        HEALTH_MIN_INTERVAL_SECONDS: '1',
        HEALTH_TIMEOUT_MS: '1000',
        HEALTH_FAILURES_OFFLINE: '2',
        // The gateway reads the maintenance windows every second.
        MAINTENANCE_POLL_MS: '1000',
      },
    });
    redis = await connectRedis(REDIS_URL);
    const login = async (username: string, password: string) => (await developmentPortalLogin(p.platform.urls.issuer, username, password)).accessToken;
    tokens.operator = await login('lan.nguyen', 'Dev-VanPhong#2025');
    tokens.policeAdmin = await login('000.00.02.h41@nghean.gov.vn', 'Dev-QTV-CongAn#2025');
    tokens.justiceAdmin = await login('000.00.04.h41@nghean.gov.vn', 'Dev-QTV-TuPhap#2025');
    tokens.financeAdmin = await login('000.00.03.h41@nghean.gov.vn', 'Dev-QTV-TaiChinh#2025');
    personalId = (await p.simulator.samples(1)).citizens[0]!;
  });
  after(async () => {
    await redis?.quit();
    await p?.close();
  });

  it('1. a citizen lookup with a declared purpose is found by the operator by personal ID, with agency, system and purpose', async () => {
    const lookup = await p.query(
      `query CivilStatusCheck($id: String!) { citizen(personalId: $id) { personalId fullName } }`,
      { id: personalId },
      {
        as: JUSTICE_SYSTEM_CLIENT,
        purpose: PURPOSE,
      },
    );
    assert.equal(lookup.body.errors, undefined, JSON.stringify(lookup.body.errors));
    assert.equal(lookup.body.data?.citizen?.personalId, personalId);

    const accesses = `query($subject: String!, $from: DateTime!, $to: DateTime!) {
      personalDataAccesses(subject: $subject, from: $from, to: $to) {
        nodes { seq kind requestId source agencyCode system purpose operation personalFields counterpartAgencyCode service outcome subjectHashes }
      }
    }`;
    const variables = () => ({ subject: personalId, from: startedAt, to: now() });
    // The writers linger before appending: wait for both records (the gateway's and national-data's).
    const nodes = await waitFor('the gateway’s and national-data’s records of the lookup', async () => {
      const found = (await data(tokens.operator, accesses, variables())).personalDataAccesses.nodes as Array<Record<string, any>>;
      return found.some((n) => n.kind === 'GRAPHQL') && found.some((n) => n.kind === 'SERVED') ? found : undefined;
    });
    const gateway = nodes.find((n) => n.kind === 'GRAPHQL')!;
    assert.equal(gateway.agencyCode, JUSTICE);
    assert.equal(gateway.system, JUSTICE_SYSTEM);
    assert.equal(gateway.purpose, PURPOSE);
    assert.equal(gateway.operation, 'CivilStatusCheck');
    assert.equal(gateway.outcome, 'SUCCESS');
    assert.equal(gateway.counterpartAgencyCode, POLICE, 'the provider of citizens’ data');
    assert.ok(gateway.personalFields.includes('Citizen.fullName'), JSON.stringify(gateway.personalFields));
    assert.ok(!gateway.subjectHashes.includes(personalId), 'subjects are stored as keyed hashes, never in clear');
    const served = nodes.find((n) => n.kind === 'SERVED')!;
    assert.equal(served.requestId, gateway.requestId, 'national-data’s served record has the gateway’s request id');
    assert.equal(served.source, 'national-data');
    assert.equal(served.agencyCode, JUSTICE);
    assert.equal(served.purpose, PURPOSE);
    assert.equal(served.system, JUSTICE_SYSTEM);
    assert.equal(served.counterpartAgencyCode, POLICE);
    lookupRequestId = gateway.requestId;
    lookupSeq = gateway.seq;

    // The owner of the data (the Police, provider) and the actor (Justice) see it; Finance sees nothing; a system is refused.
    for (const [who, token] of [
      ['the Police’s administrator (owner)', tokens.policeAdmin],
      ['the Department of Justice’s administrator (actor)', tokens.justiceAdmin],
    ] as const) {
      const seen = (await data(token, accesses, variables())).personalDataAccesses.nodes as Array<{ requestId: string }>;
      assert.ok(
        seen.some((n) => n.requestId === lookupRequestId),
        `${who} finds the lookup`,
      );
    }
    const finance = (await data(tokens.financeAdmin, accesses, variables())).personalDataAccesses.nodes as Array<{ requestId: string }>;
    assert.deepEqual(
      finance.filter((n) => n.requestId === lookupRequestId),
      [],
      'an agency neither actor nor owner sees nothing of it',
    );
    const system = await p.query(accesses, variables(), { as: 'sotaichinh-h41-dkkd' });
    assert.equal(system.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(system.body));
    assert.equal(system.body.data?.personalDataAccesses ?? null, null);
    // Who looked is recorded too (kind OPERATION, by monitoring).
    const looked = await waitFor('the operator’s search in the audit trail', async () => {
      const found = (
        await data(
          tokens.operator,
          `query($from: DateTime!, $to: DateTime!) { auditRecords(filter: { from: $from, to: $to, kind: OPERATION, agency: "000.00.01.H41" }) { nodes { operation source user outcome subjectHashes } } }`,
          { from: startedAt, to: now() },
        )
      ).auditRecords.nodes as Array<{ operation: string; source: string; user: string | null; outcome: string; subjectHashes: string[] }>;
      return found.find((n) => n.operation === 'personalDataAccesses');
    });
    assert.equal(looked.source, 'monitoring');
    assert.equal(looked.outcome, 'SUCCESS');
    assert.deepEqual(looked.subjectHashes, gateway.subjectHashes, 'the searched subject, hashed as the lookup’s');
    const other = await gql(tokens.financeAdmin, `{ auditRecords(filter: { from: "${startedAt}", to: "${now()}", agency: "${JUSTICE}" }) { nodes { seq } } }`);
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', 'another agency’s operations are refused');
  });

  it('2. a connected system that stops answering turns OFFLINE with an alert, and its history shows it', async () => {
    const sim = p.platform.urls.simulator;
    const setState = async (state: string) => {
      const res = await fetch(`${sim}/_sim/agency-systems/${encodeURIComponent(WATCHED)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state }),
      });
      assert.equal(res.status < 300, true, `simulator state ${state}: HTTP ${res.status} ${await res.text()}`);
    };
    const health = `${sim}/agency-systems/${encodeURIComponent(WATCHED)}/health`;
    await data(tokens.justiceAdmin, 'mutation($input: RegisterSystemInput!) { registerInformationSystem(input: $input) { id } }', {
      input: {
        agencyCode: JUSTICE,
        slug: 'evidence-e2e',
        name: 'Hệ thống kiểm thử giám sát',
        purpose: 'issue 17 evidence test',
        contacts: [],
        environments: ['PRODUCTION'],
        healthEndpoints: [
          { level: 1, url: `${health}/live`, intervalSeconds: 1 },
          { level: 2, url: `${health}/ready`, intervalSeconds: 1 },
        ],
      },
    });
    const status = async () => (await data(tokens.operator, `{ systemHealth(systemId: "${WATCHED}") { status } }`)).systemHealth?.status as string | undefined;
    await waitFor('the registered system is ONLINE', async () => ((await status()) === 'ONLINE' ? true : undefined));

    let subscription: GatewaySubscription | undefined;
    try {
      subscription = await p.subscribe(
        'subscription($id: ID) { systemHealthChanged(systemId: $id) { systemId status previousStatus level source at detail } }',
        { id: WATCHED },
        { as: JUSTICE_SYSTEM_CLIENT },
      );
      // It stops answering (its port closes connections, as a stopped server's would). Until the level-1 failures
      // reach HEALTH_FAILURES_OFFLINE its level-2 failure may first make it DEGRADED: read events until OFFLINE.
      await setState('REFUSE');
      const events: Array<Record<string, any>> = [];
      while (events.at(-1)?.status !== 'OFFLINE') {
        events.push(await subscription.event('systemHealthChanged', 'the OFFLINE event', 30_000));
        assert.ok(events.length <= 2, `ONLINE → (DEGRADED →) OFFLINE, got ${JSON.stringify(events)}`);
      }
      const event = events.at(-1)!;
      assert.equal(event.systemId, WATCHED);
      assert.equal(event.level, 1);
      assert.equal(event.source, 'PULL');
      assert.equal(events[0]!.previousStatus, 'ONLINE', JSON.stringify(events));
      assert.ok(['ONLINE', 'DEGRADED'].includes(event.previousStatus), JSON.stringify(events));
      assert.equal(await status(), 'OFFLINE');

      const metricsUrl = new URL('/metrics', p.platform.urls.monitoring).href;
      const up = async () => {
        const text = await (await fetch(metricsUrl)).text();
        const line = text.split('\n').find((l) => l.startsWith('lgsp_monitoring_system_up{') && l.includes(`system="${WATCHED}"`));
        return line === undefined ? undefined : Number(line.trim().split(/\s+/).pop());
      };
      await waitFor('lgsp_monitoring_system_up 0 for the system', async () => ((await up()) === 0 ? true : undefined), 10_000);

      const history = (
        await data(
          tokens.justiceAdmin,
          `query($id: ID!, $from: DateTime!, $to: DateTime!) { healthHistory(systemId: $id, from: $from, to: $to) { transitions { at from to level source detail } samples { status } } }`,
          { id: WATCHED, from: startedAt, to: now() },
        )
      ).healthHistory as { transitions: Array<{ from: string; to: string }>; samples: Array<{ status: string }> };
      const path = history.transitions.map((t) => `${t.from}→${t.to}`);
      assert.deepEqual(
        path.slice(-1 - events.length),
        ['UNKNOWN→ONLINE', ...events.map((e) => `${e.previousStatus}→${e.status}`)],
        JSON.stringify(history.transitions),
      );
      assert.ok(history.samples.some((s) => s.status === 'DOWN'));

      await setState('UP');
      // Back up: ONLINE again (through DEGRADED while the last level-2 check is still the failed one), told the same way.
      const back: Array<Record<string, any>> = [];
      while (back.at(-1)?.status !== 'ONLINE') {
        back.push(await subscription.event('systemHealthChanged', 'the ONLINE event', 30_000));
        assert.ok(back.length <= 2, `OFFLINE → (DEGRADED →) ONLINE, got ${JSON.stringify(back)}`);
      }
      assert.equal(back[0]!.previousStatus, 'OFFLINE');
      await waitFor('lgsp_monitoring_system_up 1 again', async () => ((await up()) === 1 ? true : undefined), 10_000);
    } finally {
      await setState('UP');
      await subscription?.close();
    }
  });

  it('3. the month’s PDF report, through the gateway, has correct Vietnamese and the statistics query’s numbers', async () => {
    const period = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7); // this month in Vietnam time
    const statistics = async () =>
      (
        await data(
          tokens.operator,
          `query($period: String!, $agency: String) { statistics(period: $period, agency: $agency, groupBy: [DAY]) { period { label } totals { ${METRICS.join(' ')} } rows { day counts { ${METRICS.join(' ')} } } } }`,
          { period, agency: JUSTICE },
        )
      ).statistics as { totals: Counts; rows: Array<{ day: string; counts: Counts }> };
    // Justice's records of the tests above are written (the writers linger): wait until two reads agree.
    let stats = await statistics();
    await waitFor('the statistics are stable', async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const again = await statistics();
      const stable = JSON.stringify(again) === JSON.stringify(stats);
      stats = again;
      return stable ? true : undefined;
    });
    assert.ok(stats.totals.requests >= 1 && stats.totals.personalDataReads >= 1, JSON.stringify(stats.totals));

    const link = (
      await data(
        tokens.operator,
        `query($period: String!, $agency: String) { report(period: $period, agency: $agency, format: PDF) { url fileName expiresAt } }`,
        { period, agency: JUSTICE },
      )
    ).report as { url: string; fileName: string };
    const url = new URL(link.url);
    assert.match(url.pathname, /^\/reports\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    // The link names REPORT_PUBLIC_URL's origin; the fixture's gateway listens on a free port: same path there.
    const response = await fetch(new URL(url.pathname, p.platform.urls.gateway));
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('content-type'), 'application/pdf');
    const text = await pdfText(Buffer.from(await response.arrayBuffer()));
    const [year, month] = period.split('-');
    for (const expected of [
      'BÁO CÁO TÌNH HÌNH KHAI THÁC, CHIA SẺ DỮ LIỆU',
      `Kỳ báo cáo: tháng ${month}/${year}`,
      `Cơ quan: Sở Tư pháp tỉnh Nghệ An (${JUSTICE})`,
      '1. Tổng hợp',
      '2. Biểu đồ',
    ])
      assert.ok(text.includes(expected), `the PDF says "${expected}":\n${text.slice(0, 1500)}`);
    const lines = text.split('\n').map((l) => l.trim());
    for (const m of METRIC_LABELS) {
      const line = lines.find((l) => l.startsWith(m.label));
      assert.ok(line !== undefined, `the PDF has the line "${m.label}"`);
      assert.equal(viNumber(line.slice(m.label.length).trim()), stats.totals[m.metric], m.label);
    }
    // Each day of the month with activity, its nine numbers as the query's rows.
    const dayRows = new Map<string, number[]>();
    for (const l of lines) {
      const match = /^(\d{2})\/(\d{2})\/(\d{4})((?:\s+[\d.]+){9})$/.exec(l);
      if (match !== null) dayRows.set(`${match[3]}-${match[2]}-${match[1]}`, match[4]!.trim().split(/\s+/).map(viNumber));
    }
    for (const row of stats.rows)
      assert.deepEqual(
        dayRows.get(row.day),
        METRICS.map((m) => row.counts[m]),
        row.day,
      );
    assert.deepEqual(await statistics(), stats, 'nothing of Justice’s changed while the report was made');
  });

  it('4. an emergency maintenance window gives 503 with Retry-After while /health/live answers 200', async () => {
    const lookup = () =>
      p.query(`query($id: String!) { citizen(personalId: $id) { personalId } }`, { id: personalId }, { as: JUSTICE_SYSTEM_CLIENT, purpose: PURPOSE });
    const window = (
      await data(tokens.operator, 'mutation($input: AnnounceMaintenanceInput!) { announceMaintenance(input: $input) { id status emergency } }', {
        input: {
          startsAt: new Date(Date.now() + 1_000).toISOString(),
          endsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
          summary: 'Bảo trì khẩn cấp (kiểm thử)',
          reason: 'issue 17 evidence test: an emergency window',
          affectedServices: [],
          emergency: true,
        },
      })
    ).announceMaintenance as { id: string; emergency: boolean };
    assert.equal(window.emergency, true);
    try {
      const refused = await waitFor('the gateway answers 503 during the window', async () => {
        const answer = await lookup();
        return answer.status === 503 ? answer : undefined;
      });
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNDER_MAINTENANCE');
      const res = await fetch(p.platform.urls.gateway, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await p.tokenFor(JUSTICE_SYSTEM_CLIENT)}`, 'x-lgsp-purpose': PURPOSE },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      assert.equal(res.status, 503);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 600, `Retry-After ${res.headers.get('retry-after')}`);
      const live = await fetch(new URL('/health/live', p.platform.urls.gateway));
      assert.equal(live.status, 200, 'the health endpoint keeps answering');
      // The refused operation is in the audit trail too, with its code.
      const recorded = await waitFor('the refused operation’s audit record', async () => {
        const nodes = (
          await data(
            tokens.operator,
            `query($from: DateTime!, $to: DateTime!) { auditRecords(filter: { from: $from, to: $to, kind: GRAPHQL, agency: "${JUSTICE}" }) { nodes { system outcome errorCodes } } }`,
            { from: startedAt, to: now() },
          )
        ).auditRecords.nodes as Array<{ system: string; outcome: string; errorCodes: string[] }>;
        return nodes.find((n) => n.errorCodes.includes('UNDER_MAINTENANCE'));
      });
      assert.equal(recorded.system, JUSTICE_SYSTEM);
      assert.notEqual(recorded.outcome, 'SUCCESS');
    } finally {
      await data(tokens.operator, 'mutation($id: ID!) { cancelMaintenance(id: $id, reason: "end of the evidence test") { status } }', { id: window.id });
    }
    const served = await waitFor('served again after the window ended', async () => {
      const answer = await lookup();
      return answer.status === 200 ? answer : undefined;
    });
    assert.equal(served.body.data?.citizen?.personalId, personalId);
  });

  it('5. npm run audit -- verify passes, and fails naming the record edited in Redis', async () => {
    assert.ok(lookupSeq > 0, 'test 1 found the lookup’s record');
    const ok = await auditVerify(p.keyPrefix);
    assert.equal(ok.code, 0, `${ok.stdout}\n${ok.stderr}`);
    assert.match(ok.stdout, /^audit chain verifies: \d+ records/);

    const key = auditKeys(p.keyPrefix).log;
    const id = `${lookupSeq}-0`;
    const [entry] = (await redis.sendCommand(['XRANGE', key, id, id])) as Array<[string, string[]]>;
    assert.ok(entry !== undefined, `the stream has record ${lookupSeq}`);
    const fields = entry[1];
    const record = JSON.parse(fields[1]!) as AuditRecord;
    assert.equal(record.requestId, lookupRequestId);
    const edited = JSON.stringify({ ...record, purpose: 'marketing:edited-in-redis' });
    assert.equal(await redis.sendCommand(['EVAL', REWRITE_ONE, '1', key, id, edited]), 1);

    const broken = await auditVerify(p.keyPrefix);
    assert.equal(broken.code, 1, `${broken.stdout}\n${broken.stderr}`);
    assert.match(broken.stdout, new RegExp(`^audit chain BROKEN at record ${lookupSeq}: EDITED`));
  });
});
