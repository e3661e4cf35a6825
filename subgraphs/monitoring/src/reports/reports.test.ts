/**
 * Statistics, reconciliation and reports end to end: a month of audit records (queries with their served records,
 * packets) in a real Redis audit log, the monitoring subgraph on loopback with real internal tokens, and the files
 * downloaded through their links. The PDF's text (poppler's `pdftotext`) carries the statistics query's numbers and
 * intact Vietnamese; the XLSX reopens with exceljs with the same numbers; the CSV parses; reconciliation lists the
 * injected discrepancies exactly; bad periods and links get their codes; the access table is walked over HTTP.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { AuditEntry, AuditLog } from '@lgsp/audit';
import { auditLogsOnRedis } from '@lgsp/audit/testing';
import type { Principal } from '@lgsp/kit';
import { adminOf, OPERATOR, startMonitoringHarness, type GraphQLAnswer, type MonitoringHarness } from '../testing.ts';
import { injectedDiscrepancies, INJECTED } from '../reconciliation/injected-discrepancies.ts';
import { accessTable, callers } from '../statistics/authorization.table.ts';
import { FIXTURE_AGENCIES, monthOfRecords } from '../statistics/month-of-records.ts';
import { staticAgencyNames } from './agency-names.ts';
import { reportsModule } from './index.ts';
import { METRIC_LABELS } from './report-data.ts';

const run = promisify(execFile);
const { police: POLICE, justice: JUSTICE } = FIXTURE_AGENCIES;
const NAMES = { [JUSTICE]: 'Sở Tư pháp tỉnh Nghệ An', [POLICE]: 'Công an tỉnh Nghệ An', '000.00.03.H41': 'Sở Tài chính tỉnh Nghệ An' };
const METRICS = METRIC_LABELS.map((m) => m.metric);
const COUNTS = `counts { ${METRICS.join(' ')} }`;

type Counts = Record<(typeof METRICS)[number], number>;

/** `1.234.567` → 1234567 */
const viNumber = (text: string) => Number(text.replaceAll('.', ''));

async function pdfText(pdf: Buffer, dir: string): Promise<string> {
  const file = join(dir, `r-${Math.random().toString(36).slice(2)}.pdf`);
  await writeFile(file, pdf);
  try {
    return (await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      assert.fail('pdftotext is not installed: apt-get install poppler-utils (Debian) to check the PDF reports');
    throw error;
  }
}

/** A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  assert.equal(field, '', 'the CSV ends with CRLF');
  return rows;
}

describe('statistics, reconciliation and reports (monitoring reports module)', () => {
  let h: MonitoringHarness;
  let redisLog: Awaited<ReturnType<typeof auditLogsOnRedis>>;
  let dir: string;
  let clockOffsetMs = 0;
  const entries: AuditEntry[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-reports-'));
    redisLog = await auditLogsOnRedis();
    const log: AuditLog = redisLog.log;
    for (const e of monthOfRecords({ fromDay: '2026-11-01', toDay: '2026-11-30', operationsPerDay: 40, packetsPerDay: 6, seed: 11 })) entries.push(e);
    entries.push(...injectedDiscrepancies());
    for (let i = 0; i < entries.length; i += 500) await log.append(entries.slice(i, i + 500));
    h = await startMonitoringHarness(
      {},
      {
        log,
        now: () => new Date(Math.max(Date.now(), Date.parse('2026-12-06T03:00:00Z')) + clockOffsetMs),
        modules: [
          reportsModule({
            config: { REPORT_LINK_SECRET: 'report-links-test-secret-0123456789abcdef', REPORT_PUBLIC_URL: 'https://lgsp.example' },
            names: staticAgencyNames(NAMES),
          }),
        ],
      },
    );
  });
  after(async () => {
    await h?.close();
    await redisLog?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const data = (answer: GraphQLAnswer) => {
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!;
  };
  const statistics = async (principal: Principal, args: string) =>
    data(await h.gql(principal, `{ statistics(${args}) { agency totals { ${METRICS.join(' ')} } rows { day month agency system service ${COUNTS} } } }`))
      .statistics as {
      totals: Counts;
      rows: Array<{ day: string | null; agency: string | null; counts: Counts }>;
    };
  /** Downloads a report through its link (the link's origin is the gateway's; this test asks monitoring directly). */
  const download = async (principal: Principal, args: string) => {
    const link = data(await h.gql(principal, `{ report(${args}) { url expiresAt fileName } }`)).report as { url: string; expiresAt: string; fileName: string };
    assert.match(link.url, /^https:\/\/lgsp\.example\/reports\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const response = await fetch(link.url.replace('https://lgsp.example', h.running.origin));
    assert.equal(response.status, 200, await response.clone().text());
    return { link, response, body: Buffer.from(await response.arrayBuffer()) };
  };

  it('counts what the records say', async () => {
    const stats = await statistics(OPERATOR, 'period: "2026-11"');
    const november = entries.filter((e) => e.at >= '2026-10-31T17:00:00.000Z' && e.at < '2026-11-30T17:00:00.000Z');
    const gql = november.filter((e) => e.kind === 'graphql');
    assert.equal(stats.totals.requests, gql.length);
    assert.equal(stats.totals.errors, gql.filter((e) => e.outcome !== 'success').length);
    assert.equal(stats.totals.served, gql.length);
    assert.equal(stats.totals.packetsSent, november.filter((e) => e.action === 'UPLOADED').length);
    assert.equal(stats.totals.packetsReceived, november.filter((e) => e.action === 'DELIVERED').length);
    assert.equal(
      stats.totals.bytesIn,
      [...gql, ...november.filter((e) => e.action === 'UPLOADED')].reduce((s, e) => s + (e.bytesIn ?? 0), 0),
    );
  });

  it('the province-wide PDF carries the statistics query’s numbers in intact Vietnamese', async () => {
    const stats = await statistics(OPERATOR, 'period: "2026-11", groupBy: [DAY]');
    const byAgency = await statistics(OPERATOR, 'period: "2026-11", groupBy: [AGENCY]');
    const { response, body, link } = await download(OPERATOR, 'period: "2026-11", format: PDF');
    assert.equal(response.headers.get('content-type'), 'application/pdf');
    assert.equal(link.fileName, 'bao-cao-2026-11-toan-tinh.pdf');
    assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="bao-cao-2026-11-toan-tinh\.pdf"/);
    const text = await pdfText(body, dir);
    const lines = text.split('\n').map((l) => l.trim());
    for (const expected of [
      'BÁO CÁO TÌNH HÌNH KHAI THÁC, CHIA SẺ DỮ LIỆU',
      'Kỳ báo cáo: tháng 11/2026 (01/11/2026 – 30/11/2026)',
      'Phạm vi: toàn tỉnh',
      '1. Tổng hợp',
      '2. Biểu đồ',
      'Yêu cầu khai thác dữ liệu theo ngày',
      '3. Số liệu theo ngày',
      '4. Số liệu theo cơ quan',
    ])
      assert.ok(text.includes(expected), `the PDF says "${expected}"`);
    // 1. Totals: each metric's line.
    for (const m of METRIC_LABELS) {
      const line = lines.find((l) => l.startsWith(m.label));
      assert.ok(line !== undefined, `the PDF has the line "${m.label}"`);
      assert.equal(viNumber(line.slice(m.label.length).trim()), stats.totals[m.metric], m.label);
    }
    // 3. Every day of the month, with its nine numbers.
    const dayRows = new Map<string, number[]>();
    for (const l of lines) {
      const match = /^(\d{2})\/(\d{2})\/(\d{4})((?:\s+[\d.]+){9})$/.exec(l);
      if (match !== null) dayRows.set(`${match[3]}-${match[2]}-${match[1]}`, match[4]!.trim().split(/\s+/).map(viNumber));
    }
    assert.equal(dayRows.size, 30);
    for (const row of stats.rows)
      assert.deepEqual(
        dayRows.get(row.day!),
        METRICS.map((m) => row.counts[m]),
        row.day!,
      );
    // 4. Every agency, by name when the registry knows it.
    for (const row of byAgency.rows) {
      const name = NAMES[row.agency as keyof typeof NAMES] ?? row.agency!;
      const line = lines.find((l) => l.startsWith(`${row.agency} `));
      assert.ok(line !== undefined, `the PDF lists ${row.agency}`);
      const rest = line.slice(row.agency!.length).trim();
      assert.ok(rest.startsWith(name), `${row.agency} is named "${name}" (got "${rest}")`);
      assert.deepEqual(
        rest.slice(name.length).trim().split(/\s+/).map(viNumber),
        METRICS.map((m) => row.counts[m]),
        row.agency!,
      );
    }
    assert.ok(text.includes('Sở Tư pháp tỉnh Nghệ An') && text.includes('Công an tỉnh Nghệ An'));
    assert.match(text, /Trang 1\/\d/);
  });

  it('an agency administrator’s PDF of its own agency, with its name and its numbers', async () => {
    const stats = await statistics(adminOf(JUSTICE), 'period: "2026-11"');
    assert.equal((await statistics(adminOf(JUSTICE), 'period: "2026-11", agency: "000.00.04.H41"')).totals.requests, stats.totals.requests);
    const { body, link } = await download(adminOf(JUSTICE), 'period: "2026-11"');
    assert.equal(link.fileName, `bao-cao-2026-11-${JUSTICE}.pdf`);
    const text = await pdfText(body, dir);
    assert.ok(text.includes(`Cơ quan: Sở Tư pháp tỉnh Nghệ An (${JUSTICE})`));
    assert.ok(text.includes('4. Số liệu theo hệ thống và dịch vụ'));
    const line = text.split('\n').find((l) => l.trim().startsWith('Số yêu cầu khai thác dữ liệu'))!;
    assert.equal(viNumber(line.trim().slice('Số yêu cầu khai thác dữ liệu'.length).trim()), stats.totals.requests);
  });

  it('a quarter’s report goes by month', async () => {
    const stats = await statistics(OPERATOR, 'period: "2026-Q4", groupBy: [MONTH]');
    assert.deepEqual(
      stats.rows.map((r) => (r as { month?: string }).month),
      ['2026-11'],
    );
    const text = await pdfText((await download(OPERATOR, 'period: "2026-Q4"')).body, dir);
    assert.ok(text.includes('Kỳ báo cáo: quý IV/2026 (01/10/2026 – 31/12/2026)'));
    assert.match(text, /^\s*11\/2026(\s+[\d.]+){9}\s*$/m);
    assert.match(text, /^\s*10\/2026(\s+0){9}\s*$/m);
  });

  it('the XLSX reopens with the same numbers', async () => {
    const stats = await statistics(OPERATOR, 'period: "2026-11", groupBy: [DAY]');
    const { body, response } = await download(OPERATOR, 'period: "2026-11", format: XLSX');
    assert.equal(response.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['Tổng hợp', 'Theo ngày', 'Theo cơ quan'],
    );
    const summary = workbook.getWorksheet('Tổng hợp')!;
    assert.equal(summary.getCell('A1').value, 'BÁO CÁO TÌNH HÌNH KHAI THÁC, CHIA SẺ DỮ LIỆU');
    const values = new Map<string, unknown>();
    summary.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    for (const m of METRIC_LABELS) assert.equal(values.get(m.label), stats.totals[m.metric], m.label);
    const days = workbook.getWorksheet('Theo ngày')!;
    for (const [i, row] of stats.rows.entries()) {
      const cells = days.getRow(i + 2).values as unknown[];
      assert.equal(cells[1], `${row.day!.slice(8)}/${row.day!.slice(5, 7)}/${row.day!.slice(0, 4)}`);
      assert.deepEqual(
        cells.slice(2, 11),
        METRICS.map((m) => row.counts[m]),
      );
    }
  });

  it('the CSV parses, with the same numbers', async () => {
    const stats = await statistics(OPERATOR, 'period: "2026-11", groupBy: [DAY]');
    const { body, response } = await download(OPERATOR, 'period: "2026-11", format: CSV');
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    const text = body.toString('utf8');
    assert.ok(text.startsWith('\uFEFF'));
    const rows = parseCsv(text.slice(1));
    assert.deepEqual(rows[0], ['Phần', 'Mã', 'Tên', ...METRIC_LABELS.map((m) => m.short)]);
    assert.deepEqual(rows[1], ['TONG', 'toan-tinh', 'Toàn tỉnh', ...METRICS.map((m) => String(stats.totals[m]))]);
    const days = rows.filter((r) => r[0] === 'NGAY');
    assert.deepEqual(
      days.map((r) => [r[1], ...r.slice(3).map(Number)]),
      stats.rows.map((r) => [r.day, ...METRICS.map((m) => r.counts[m])]),
    );
    assert.ok(rows.some((r) => r[0] === 'CO_QUAN' && r[1] === JUSTICE && r[2] === 'Sở Tư pháp tỉnh Nghệ An'));
  });

  it('reconciliation lists the injected discrepancies exactly, page by page', async () => {
    const query = (
      after: string | null,
    ) => `{ reconciliation(period: "2026-11", provider: "${POLICE}", consumer: "${JUSTICE}", first: 3${after === null ? '' : `, after: "${after}"`}) {
      period { kind fromDay toDay } queries { consumerRecords consumerReached providerRecords matched }
      packets { from to sent delivered rejected matched }
      discrepancies { totalCount nodes { kind at requestId packetId from to recordSeq otherRecordSeq detail } pageInfo { hasNextPage endCursor } } } }`;
    const first = data(await h.gql(adminOf(POLICE), query(null))).reconciliation;
    assert.equal(first.discrepancies.totalCount, INJECTED.length);
    assert.equal(first.discrepancies.pageInfo.hasNextPage, true);
    const second = data(await h.gql(adminOf(JUSTICE), query(first.discrepancies.pageInfo.endCursor))).reconciliation;
    assert.equal(second.discrepancies.pageInfo.hasNextPage, false);
    const nodes = [...first.discrepancies.nodes, ...second.discrepancies.nodes];
    assert.deepEqual(
      nodes.map((d: { kind: string; requestId: string | null; packetId: string | null }) => [d.kind, d.requestId ?? d.packetId]),
      INJECTED.map(([kind, id]) => [kind, id]),
    );
    const november = entries.filter((e) => e.at >= '2026-10-31T17:00:00.000Z' && e.at < '2026-11-30T17:00:00.000Z');
    const served = new Set(november.filter((e) => e.kind === 'served' && e.agency === JUSTICE && e.counterpartAgency === POLICE).map((e) => e.requestId));
    const received = november.filter((e) => e.kind === 'graphql' && e.agency === JUSTICE && e.counterpartAgency === POLICE);
    assert.deepEqual(first.queries, {
      consumerRecords: received.length,
      consumerReached: received.filter((e) => e.outcome === 'success' || e.outcome === 'partial').length,
      providerRecords: served.size,
      matched: received.filter((e) => served.has(e.requestId)).length,
    });
    assert.deepEqual(
      first.packets.map((p: { from: string; to: string }) => [p.from, p.to]),
      [
        [POLICE, JUSTICE],
        [JUSTICE, POLICE],
      ],
    );
  });

  it('refuses periods that do not exist or have not started with INVALID_PERIOD', async () => {
    for (const period of ['2026-13', '2026-Q5', '2026-02-30', '2026/11', 'Q4-2026', '2999']) {
      for (const query of [
        `{ statistics(period: "${period}") { agency } }`,
        `{ reconciliation(period: "${period}", provider: "${POLICE}", consumer: "${JUSTICE}") { provider } }`,
        `{ report(period: "${period}") { url } }`,
      ]) {
        const answer = await h.gql(OPERATOR, query);
        assert.equal(answer.errors?.[0]?.extensions?.code, 'INVALID_PERIOD', `${period}: ${JSON.stringify(answer.errors)}`);
        assert.match(answer.errors![0]!.message, new RegExp(`Period "${period.replace('/', '\\/')}"`));
      }
    }
  });

  it('refuses forged and expired links with their codes', async () => {
    const { link } = await download(OPERATOR, 'period: "2026-11", format: CSV');
    const local = link.url.replace('https://lgsp.example', h.running.origin);
    const [payload, signature] = local.slice(local.lastIndexOf('/') + 1).split('.') as [string, string];
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), agency: POLICE })).toString('base64url');
    for (const [url, status, code] of [
      [`${h.running.origin}/reports/${widened}.${signature}`, 403, 'REPORT_LINK_INVALID'],
      [`${h.running.origin}/reports/not-a.token`, 403, 'REPORT_LINK_INVALID'],
      [`${h.running.origin}/reports/nothing`, 404, 'NOT_FOUND'],
    ] as const) {
      const response = await fetch(url);
      assert.equal(response.status, status, url);
      assert.equal(((await response.json()) as GraphQLAnswer).errors![0]!.extensions!.code, code);
    }
    clockOffsetMs = 601_000;
    try {
      const response = await fetch(local);
      assert.equal(response.status, 410);
      assert.equal(((await response.json()) as GraphQLAnswer).errors![0]!.extensions!.code, 'REPORT_LINK_EXPIRED');
    } finally {
      clockOffsetMs = 0;
    }
    assert.equal((await fetch(local)).status, 200);
  });

  it('traces report links issued and downloaded in the audit trail', async () => {
    await download(adminOf(JUSTICE), 'period: "2026-11-05", format: CSV');
    await h.gql(adminOf(JUSTICE), `{ report(period: "2026-11", agency: "${POLICE}") { url } }`);
    await h.running.audit.flush();
    const { records } = await redisLog.log.query({
      from: '2026-12-01T00:00:00Z',
      to: new Date(Math.max(Date.now(), Date.parse('2026-12-06T03:00:00Z')) + 86_400_000).toISOString(),
      kind: 'operation',
      agency: JUSTICE,
      limit: 1000,
    });
    const traces = records.filter((r) => (r.source === 'monitoring' && r.details.period === '2026-11-05') || r.details.scope === POLICE);
    const link = traces.find((r) => r.action === 'report-link' && r.details.period === '2026-11-05')!;
    assert.equal(link.user, `${JUSTICE}@nghean.gov.vn`);
    assert.deepEqual([link.outcome, link.details], ['success', { period: '2026-11-05', scope: JUSTICE, format: 'csv' }]);
    const downloaded = traces.find((r) => r.action === 'report-download' && r.details.period === '2026-11-05')!;
    assert.equal(downloaded.outcome, 'success');
    const denied = traces.find((r) => r.action === 'report-link' && r.details.scope === POLICE)!;
    assert.deepEqual([denied.outcome, denied.errorCodes], ['denied', ['FORBIDDEN']]);
  });

  describe('who may read what (authorization.table.ts over HTTP)', () => {
    for (const row of accessTable) {
      for (const [name, outcome] of Object.entries(row.outcomes)) {
        it(`${row.read}: ${name} → ${outcome}`, async () => {
          const principal = callers[name]!;
          const scope = row.scope;
          const queries =
            scope === null
              ? [`{ statistics(period: "2026-11") { agency } }`, `{ report(period: "2026-11") { url fileName } }`]
              : 'agency' in scope
                ? [
                    `{ statistics(period: "2026-11", agency: "${scope.agency}") { agency } }`,
                    `{ report(period: "2026-11", agency: "${scope.agency}") { url } }`,
                  ]
                : [`{ reconciliation(period: "2026-11-05", provider: "${scope.pair.provider}", consumer: "${scope.pair.consumer}") { provider } }`];
          for (const query of queries) {
            const answer = await h.gql(principal, query);
            const expected = principal.kind === 'anonymous' ? ['FORBIDDEN', 'UNAUTHENTICATED'] : [outcome];
            if (outcome === 'ok') assert.equal(answer.errors, undefined, `${query}: ${JSON.stringify(answer.errors)}`);
            else if (scope === null && answer.errors === undefined) {
              // The agency omitted: an agency administrator gets its own agency, never the province.
              const own = principal.agencyCode!;
              const got = answer.data!.statistics?.agency ?? answer.data!.report?.url;
              assert.ok(
                principal.roles.includes('agency-admin') && (got === own || String(got).startsWith('https://')),
                `${query}: ${JSON.stringify(answer.data)}`,
              );
              if (answer.data!.report !== undefined) assert.ok(answer.data!.report.fileName.endsWith(`${own}.pdf`));
            } else assert.ok(expected.includes(answer.errors?.[0]?.extensions?.code), `${query}: ${JSON.stringify(answer.errors)}`);
          }
        });
      }
    }
  });
});
