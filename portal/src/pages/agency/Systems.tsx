/**
 * The agency's systems and their health: the status now (monitoring's `systemsHealth`), each system's availability
 * over 30 days (`availability`), and one system's history (`healthHistory`): hours up, degraded and down per day as a
 * chart with the same numbers in a table, and its status changes.
 */
import { Button, Card, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { EChart } from '../../shell/charts/EChart.tsx';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { DAY_MS, dateOnly, dateTime, number } from './format.ts';
import { NoAgency, Page, ToneTag, useAgencyCode } from './Page.tsx';
import { texts } from './texts.ts';

export const SYSTEMS_QUERY = /* GraphQL */ `
  query AgencySystems($agency: String!) {
    systemsHealth(agency: $agency) {
      agencyCode
      relayLastSeenAt
      systems {
        systemId
        status
        since
        lastCheckedAt
        consecutiveFailures
        system {
          name
        }
        levels {
          level
          status
          at
          latencyMs
        }
      }
    }
  }
`;

const AVAILABILITY_QUERY = /* GraphQL */ `
  query SystemAvailability($systemId: ID!, $from: DateTime!, $to: DateTime!) {
    availability(systemId: $systemId, from: $from, to: $to) {
      percent
      reason
    }
  }
`;

const HISTORY_QUERY = /* GraphQL */ `
  query SystemHealthHistory($systemId: ID!, $from: DateTime!, $to: DateTime!) {
    healthHistory(systemId: $systemId, from: $from, to: $to) {
      transitions {
        at
        from
        to
        level
        detail
      }
      days {
        day
        upSeconds
        degradedSeconds
        downSeconds
      }
    }
  }
`;

interface SystemRow {
  systemId: string;
  status: string;
  since: string | null;
  lastCheckedAt: string | null;
  consecutiveFailures: number;
  system: { name: string } | null;
  levels: Array<{ level: number; status: string; at: string; latencyMs: number | null }>;
}

const STATUS_COLOR: Record<string, string> = { ONLINE: 'success', DEGRADED: 'warning', OFFLINE: 'error', UNKNOWN: 'default' };

export function HealthTag({ status }: { status: string }) {
  const t = useT();
  const text = texts.healthStatus[status];
  return <ToneTag tone={STATUS_COLOR[status] ?? 'default'}>{text !== undefined ? t(text) : status}</ToneTag>;
}

/**
 * The last 30 days, to the next whole minute (so that the variables stay equal between renders, and a check made in
 * the current minute is inside: the monitoring counts a period only up to now).
 */
function lastThirtyDays(): { from: string; to: string } {
  const to = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000);
  return { from: new Date(to.getTime() - 30 * DAY_MS).toISOString(), to: to.toISOString() };
}

function Availability({ systemId, range }: { systemId: string; range: { from: string; to: string } }) {
  const { lang } = useLang();
  const t = useT();
  const { data, error, loading } = useQuery<{ availability: { percent: number | null; reason: string | null } | null }>(AVAILABILITY_QUERY, {
    systemId,
    ...range,
  });
  if (loading) return <span>…</span>;
  if (error !== undefined) return <span title={String((error as Error).message)}>—</span>;
  const percent = data?.availability?.percent;
  if (percent !== null && percent !== undefined) return <span>{`${number(percent, lang, 2)} %`}</span>;
  const reason = texts.availabilityUnknown[data?.availability?.reason ?? ''];
  return <span>{reason !== undefined ? `— (${t(reason)})` : '—'}</span>;
}

function History({ system, range }: { system: SystemRow; range: { from: string; to: string } }) {
  const t = useT();
  const { lang } = useLang();
  const name = system.system?.name ?? system.systemId;
  const { data, error, loading } = useQuery<{
    healthHistory: {
      transitions: Array<{ at: string; from: string; to: string; level: number; detail: string | null }>;
      days: Array<{ day: string; upSeconds: number; degradedSeconds: number; downSeconds: number }>;
    } | null;
  }>(HISTORY_QUERY, { systemId: system.systemId, ...range });
  const days = data?.healthHistory?.days ?? [];
  const hours = (s: number) => Math.round((s / 3600) * 10) / 10;
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: days.map((d) => dateOnly(d.day, lang)) },
      yAxis: { type: 'value', max: 24, name: 'h' },
      series: [
        { name: t(texts.hoursUp), type: 'bar', stack: 'h', data: days.map((d) => hours(d.upSeconds)), color: '#2e7d32' },
        { name: t(texts.hoursDegraded), type: 'bar', stack: 'h', data: days.map((d) => hours(d.degradedSeconds)), color: '#b26a00' },
        { name: t(texts.hoursDown), type: 'bar', stack: 'h', data: days.map((d) => hours(d.downSeconds)), color: '#8b1a1a' },
      ],
    }),
    [days, lang],
  );
  return (
    <Card
      title={
        <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
          {t(texts.history, { system: name })}
        </Typography.Title>
      }
      loading={loading}
    >
      <ErrorAlert error={error} />
      {days.length > 0 ? <EChart option={option} label={t(texts.historyChart, { system: name })} testId="health-history-chart" /> : null}
      <Table
        aria-label={t(texts.historyTable)}
        size="small"
        rowKey="day"
        pagination={{ pageSize: 7, hideOnSinglePage: true }}
        dataSource={days}
        locale={{ emptyText: t(texts.none) }}
        columns={[
          { title: t(texts.day), dataIndex: 'day', render: (d: string) => dateOnly(d, lang) },
          { title: t(texts.hoursUp), dataIndex: 'upSeconds', render: (s: number) => number(hours(s), lang, 1) },
          { title: t(texts.hoursDegraded), dataIndex: 'degradedSeconds', render: (s: number) => number(hours(s), lang, 1) },
          { title: t(texts.hoursDown), dataIndex: 'downSeconds', render: (s: number) => number(hours(s), lang, 1) },
        ]}
      />
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t(texts.transitions)}
      </Typography.Title>
      <Table
        aria-label={t(texts.transitions)}
        size="small"
        rowKey={(r) => `${r.at}-${r.level}`}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        dataSource={[...(data?.healthHistory?.transitions ?? [])].reverse()}
        locale={{ emptyText: t(texts.none) }}
        columns={[
          { title: t(texts.at), dataIndex: 'at', render: (v: string) => dateTime(v, lang) },
          {
            title: t(texts.fromTo),
            key: 'change',
            render: (_: unknown, r) => (
              <>
                <HealthTag status={r.from} /> → <HealthTag status={r.to} />
              </>
            ),
          },
          { title: t(texts.detail), dataIndex: 'detail', render: (v: string | null) => v ?? '—' },
        ]}
      />
    </Card>
  );
}

export function Systems() {
  const t = useT();
  const { lang } = useLang();
  const agency = useAgencyCode();
  const range = useMemo(lastThirtyDays, []);
  const [selected, setSelected] = useState<string | undefined>();
  const { data, error, loading, reload } = useQuery<{
    systemsHealth: { agencyCode: string; relayLastSeenAt: string | null; systems: SystemRow[] } | null;
  }>(SYSTEMS_QUERY, { agency }, { skip: agency === undefined });
  if (agency === undefined)
    return (
      <Page title={texts.systems}>
        <NoAgency />
      </Page>
    );
  const systems = data?.systemsHealth?.systems ?? [];
  const chosen = systems.find((s) => s.systemId === selected) ?? systems[0];
  return (
    <Page title={texts.systems} extra={<Button onClick={reload}>{t(texts.refresh)}</Button>}>
      <ErrorAlert error={error} />
      {data?.systemsHealth?.relayLastSeenAt ? (
        <Typography.Text>{t(texts.relayLastSeen, { at: dateTime(data.systemsHealth.relayLastSeenAt, lang) })}</Typography.Text>
      ) : null}
      <Table
        aria-label={t(texts.systemsTable)}
        loading={loading}
        rowKey="systemId"
        dataSource={systems}
        pagination={false}
        locale={{ emptyText: t(texts.none) }}
        columns={[
          {
            title: t(texts.system),
            key: 'system',
            render: (_: unknown, r: SystemRow) => (
              <>
                <div>{r.system?.name ?? r.systemId}</div>
                <Typography.Text type="secondary" code>
                  {r.systemId}
                </Typography.Text>
              </>
            ),
          },
          { title: t(texts.status), dataIndex: 'status', render: (s: string) => <HealthTag status={s} /> },
          { title: t(texts.since), dataIndex: 'since', render: (v: string | null) => dateTime(v, lang) },
          { title: t(texts.lastChecked), dataIndex: 'lastCheckedAt', render: (v: string | null) => dateTime(v, lang) },
          {
            title: t(texts.latency),
            key: 'latency',
            render: (_: unknown, r: SystemRow) => {
              const ms = r.levels.find((l) => l.latencyMs !== null)?.latencyMs;
              return ms === undefined || ms === null ? '—' : `${number(ms, lang)} ms`;
            },
          },
          { title: t(texts.availability30), key: 'availability', render: (_: unknown, r: SystemRow) => <Availability systemId={r.systemId} range={range} /> },
          {
            title: t(texts.showHistory),
            key: 'history',
            render: (_: unknown, r: SystemRow) => (
              <Button
                size="small"
                type={chosen?.systemId === r.systemId ? 'primary' : 'default'}
                onClick={() => setSelected(r.systemId)}
                aria-label={`${t(texts.showHistory)}: ${r.system?.name ?? r.systemId}`}
              >
                {t(texts.showHistory)}
              </Button>
            ),
          },
        ]}
      />
      {chosen !== undefined ? <History key={chosen.systemId} system={chosen} range={range} /> : null}
    </Page>
  );
}
