/**
 * Traffic statistics of the agency (monitoring's `statistics`, the caller's own agency): a month, a quarter or a year,
 * by day (by month for a year), by service and by outcome, each chart with its numbers in a table (the text
 * alternative).
 */
import { Card, Col, Form, Row, Select, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { EChart } from '../../shell/charts/EChart.tsx';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT, type Text } from '../../shell/i18n.tsx';
import { dateOnly, daysBetween, monthsBetween, number, vietnamToday } from './format.ts';
import { Page } from './Page.tsx';
import { periodChoices, type PeriodKind } from './period.ts';
import { texts } from './texts.ts';

const COUNTS = 'requests errors personalDataReads served packetsSent packetsReceived packetsFailed';

export const STATISTICS_QUERY = /* GraphQL */ `
  query AgencyStatistics($period: String!, $byTime: [StatisticsGroup!]) {
    overTime: statistics(period: $period, groupBy: $byTime) {
      period { label fromDay toDay }
      agency
      totals { ${COUNTS} }
      rows { day month counts { ${COUNTS} } }
    }
    byService: statistics(period: $period, groupBy: [SERVICE]) {
      rows { service counts { ${COUNTS} } }
    }
  }
`;

interface Counts {
  requests: number;
  errors: number;
  personalDataReads: number;
  served: number;
  packetsSent: number;
  packetsReceived: number;
  packetsFailed: number;
}
interface Row {
  day: string | null;
  month: string | null;
  service?: string | null;
  counts: Counts;
}
interface StatisticsData {
  overTime: { period: { label: string; fromDay: string; toDay: string }; agency: string | null; totals: Counts; rows: Row[] } | null;
  byService: { rows: Row[] } | null;
}

const KINDS: Array<{ value: PeriodKind; label: Text }> = [
  { value: 'month', label: texts.month },
  { value: 'quarter', label: texts.quarter },
  { value: 'year', label: texts.year },
];

function SectionTitle({ children }: { children: string }) {
  return (
    <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
      {children}
    </Typography.Title>
  );
}

export function Statistics() {
  const t = useT();
  const { lang } = useLang();
  const [kind, setKind] = useState<PeriodKind>('month');
  const choices = useMemo(() => periodChoices(kind), [kind]);
  const [period, setPeriod] = useState<string>(() => periodChoices('month')[0]!.value);
  const byTime = kind === 'year' ? 'MONTH' : 'DAY';
  const { data, error, loading } = useQuery<StatisticsData>(STATISTICS_QUERY, { period, byTime: [byTime] });
  const stats = data?.overTime;
  const label = stats?.period.label ?? period;
  const totals = stats?.totals;
  // Every day (month) of the period up to today, those without traffic as zeros: the chart shows the whole period.
  const zero: Counts = { requests: 0, errors: 0, personalDataReads: 0, served: 0, packetsSent: 0, packetsReceived: 0, packetsFailed: 0 };
  const timeRows = useMemo(() => {
    if (stats === undefined || stats === null) return [];
    const today = vietnamToday();
    const last = stats.period.toDay < today ? stats.period.toDay : today;
    const keys = byTime === 'DAY' ? daysBetween(stats.period.fromDay, last) : monthsBetween(stats.period.fromDay, last);
    const found = new Map(stats.rows.map((r) => [r.day ?? r.month ?? '', r.counts]));
    return keys.map((when) => ({ key: when, when, ...(found.get(when) ?? zero) }));
  }, [data, byTime]);
  const serviceRows = (data?.byService?.rows ?? [])
    .map((r) => ({
      key: r.service ?? '-',
      service: r.service === null || r.service === undefined || r.service === '*' ? t(texts.otherService) : r.service,
      ...r.counts,
    }))
    .sort((a, b) => b.requests + b.served - (a.requests + a.served));
  const whenText = (w: string) => (w.length === 10 ? dateOnly(w, lang) : w);
  const by = t(byTime === 'DAY' ? texts.byDay : texts.byMonth).toLowerCase();

  const timeOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: timeRows.map((r) => whenText(r.when)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t(texts.requests), type: 'bar', data: timeRows.map((r) => r.requests) },
        { name: t(texts.errors), type: 'line', data: timeRows.map((r) => r.errors) },
      ],
    }),
    [data, lang],
  );
  const serviceOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 180, right: 24, top: 40, bottom: 32 },
      yAxis: { type: 'category', data: serviceRows.map((r) => r.service), inverse: true },
      xAxis: { type: 'value', minInterval: 1 },
      legend: { top: 0 },
      series: [
        { name: t(texts.requests), type: 'bar', data: serviceRows.map((r) => r.requests) },
        { name: t(texts.served), type: 'bar', data: serviceRows.map((r) => r.served) },
      ],
    }),
    [data, lang],
  );
  const ok = totals === undefined ? 0 : totals.requests - totals.errors;
  const outcomeOption = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          label: { formatter: '{b}: {c}' },
          data: [
            { name: t(texts.successes), value: ok, itemStyle: { color: '#2e7d32' } },
            { name: t(texts.errors), value: totals?.errors ?? 0, itemStyle: { color: '#8b1a1a' } },
          ],
        },
      ],
    }),
    [data, lang],
  );
  const countColumns = [
    { title: t(texts.requests), dataIndex: 'requests', render: (n: number) => number(n, lang) },
    { title: t(texts.errors), dataIndex: 'errors', render: (n: number) => number(n, lang) },
    { title: t(texts.personalDataReads), dataIndex: 'personalDataReads', render: (n: number) => number(n, lang) },
    { title: t(texts.served), dataIndex: 'served', render: (n: number) => number(n, lang) },
  ];
  const empty = totals !== undefined && totals.requests === 0 && totals.served === 0;

  return (
    <Page title={texts.statistics}>
      <Form layout="inline">
        <Form.Item label={t(texts.periodKind)} htmlFor="stats-kind">
          <Select
            id="stats-kind"
            style={{ width: 140 }}
            value={kind}
            options={KINDS.map((k) => ({ value: k.value, label: t(k.label) }))}
            onChange={(value: PeriodKind) => {
              setKind(value);
              setPeriod(periodChoices(value)[0]!.value);
            }}
          />
        </Form.Item>
        <Form.Item label={t(texts.period)} htmlFor="stats-period">
          <Select
            id="stats-period"
            style={{ width: 180 }}
            value={period}
            options={choices.map((c) => ({ value: c.value, label: t(c.label) }))}
            onChange={setPeriod}
          />
        </Form.Item>
      </Form>
      <ErrorAlert error={error} />
      <Card loading={loading} title={<SectionTitle>{t(texts.totals, { period: label })}</SectionTitle>}>
        {totals !== undefined ? (
          <Row gutter={[24, 16]}>
            {(
              [
                ['requests', texts.requests],
                ['errors', texts.errors],
                ['personalDataReads', texts.personalDataReads],
                ['served', texts.served],
                ['packetsSent', texts.packetsSent],
                ['packetsReceived', texts.packetsReceived],
                ['packetsFailed', texts.packetsFailed],
              ] as Array<[keyof Counts, Text]>
            ).map(([key, title]) => (
              <Col key={key} xs={12} md={6} xl={3}>
                <Statistic title={t(title)} value={number(totals[key], lang)} data-testid={`total-${key}`} />
              </Col>
            ))}
          </Row>
        ) : null}
        {empty ? <Typography.Paragraph style={{ marginTop: 16 }}>{t(texts.noTraffic)}</Typography.Paragraph> : null}
      </Card>
      {stats !== undefined && stats !== null ? (
        <>
          <Card title={<SectionTitle>{t(byTime === 'DAY' ? texts.byDay : texts.byMonth)}</SectionTitle>}>
            <EChart
              option={timeOption}
              testId="chart-by-time"
              label={t(texts.byTimeChart, { by, period: label, requests: number(totals?.requests, lang), errors: number(totals?.errors, lang) })}
            />
            <Table
              aria-label={t(texts.tableOf, { what: `${t(texts.requests)} ${by}` })}
              size="small"
              dataSource={timeRows.filter((r) => r.requests > 0 || r.served > 0)}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              locale={{ emptyText: t(texts.noTraffic) }}
              columns={[{ title: t(byTime === 'DAY' ? texts.day : texts.month), dataIndex: 'when', render: whenText }, ...countColumns]}
            />
          </Card>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={14}>
              <Card title={<SectionTitle>{t(texts.byService)}</SectionTitle>}>
                {serviceRows.length > 0 ? (
                  <EChart
                    option={serviceOption}
                    testId="chart-by-service"
                    height={Math.max(180, 40 + 56 * serviceRows.length)}
                    label={t(texts.byServiceChart, {
                      period: label,
                      summary: serviceRows.map((r) => `${r.service} ${number(r.requests, lang)} / ${number(r.served, lang)}`).join('; '),
                    })}
                  />
                ) : null}
                <Table
                  aria-label={t(texts.tableOf, { what: t(texts.byService) })}
                  size="small"
                  dataSource={serviceRows}
                  pagination={false}
                  locale={{ emptyText: t(texts.noTraffic) }}
                  columns={[{ title: t(texts.service), dataIndex: 'service' }, ...countColumns]}
                />
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card title={<SectionTitle>{t(texts.byOutcome)}</SectionTitle>}>
                <EChart
                  option={outcomeOption}
                  testId="chart-by-outcome"
                  label={t(texts.byOutcomeChart, { period: label, ok: number(ok, lang), errors: number(totals?.errors, lang) })}
                />
                <Table
                  aria-label={t(texts.tableOf, { what: t(texts.byOutcome) })}
                  size="small"
                  pagination={false}
                  dataSource={[
                    { key: 'ok', outcome: t(texts.successes), n: ok },
                    { key: 'errors', outcome: t(texts.errors), n: totals?.errors ?? 0 },
                  ]}
                  columns={[
                    { title: t(texts.outcome), dataIndex: 'outcome' },
                    { title: t(texts.requests), dataIndex: 'n', render: (n: number) => number(n, lang) },
                  ]}
                />
              </Card>
            </Col>
          </Row>
        </>
      ) : null}
    </Page>
  );
}
