/**
 * The operator's health board: systemsHealth of every active agency (one query each, so one agency's failure does
 * not hide the others), OFFLINE and DEGRADED first, with an alert for each system not online.
 */
import { Alert, Button, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { formatDateTime } from '../../shell/ui/format.ts';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { ToneTag } from '../../shell/ui/ToneTag.tsx';

const AGENCIES = /* GraphQL */ `
  query OperatorHealthAgencies {
    registryAgencies(status: ACTIVE) {
      code
      name
    }
  }
`;

const SYSTEMS_HEALTH = /* GraphQL */ `
  query OperatorSystemsHealth($agency: String!) {
    systemsHealth(agency: $agency) {
      agencyCode
      systems {
        systemId
        agencyCode
        status
        since
        consecutiveFailures
        lastCheckedAt
        system {
          name
        }
      }
    }
  }
`;

interface HealthRow {
  systemId: string;
  agencyCode: string;
  status: 'ONLINE' | 'DEGRADED' | 'OFFLINE' | 'UNKNOWN';
  since: string | null;
  consecutiveFailures: number;
  lastCheckedAt: string | null;
  system: { name: string } | null;
}

const ORDER: Record<HealthRow['status'], number> = { OFFLINE: 0, DEGRADED: 1, UNKNOWN: 2, ONLINE: 3 };
const COLOUR: Record<HealthRow['status'], string> = { OFFLINE: 'red', DEGRADED: 'orange', UNKNOWN: 'neutral', ONLINE: 'green' };

export function Health() {
  const t = useT();
  const { lang } = useLang();
  const [rows, setRows] = useState<HealthRow[]>([]);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [failed, setFailed] = useState<Array<{ agency: string; error: unknown }>>([]);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    setLoading(true);
    setError(undefined);
    try {
      const { registryAgencies } = await graphql<{ registryAgencies: Array<{ code: string; name: string }> | null }>(AGENCIES);
      const agencies = registryAgencies ?? [];
      setNames(Object.fromEntries(agencies.map((a) => [a.code, a.name])));
      const results = await Promise.allSettled(
        agencies.map((a) =>
          graphql<{ systemsHealth: { systems: HealthRow[] } | null }>(SYSTEMS_HEALTH, { agency: a.code }).then((d) => d.systemsHealth?.systems ?? []),
        ),
      );
      const all: HealthRow[] = [];
      const errors: Array<{ agency: string; error: unknown }> = [];
      results.forEach((r, i) => (r.status === 'fulfilled' ? all.push(...r.value) : errors.push({ agency: agencies[i]!.code, error: r.reason })));
      all.sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.consecutiveFailures - a.consecutiveFailures || a.systemId.localeCompare(b.systemId));
      setRows(all);
      setFailed(errors);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const statusText = (s: HealthRow['status']) => t(texts.health[s]);
  const count = (s: HealthRow['status']) => rows.filter((r) => r.status === s).length;
  const alerts = rows.filter((r) => r.status === 'OFFLINE' || r.status === 'DEGRADED');
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.health.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.health.intro)}</Typography.Paragraph>
        <Space>
          <Typography.Text strong data-testid="health-summary">
            {t(texts.health.summary, { offline: count('OFFLINE'), degraded: count('DEGRADED'), online: count('ONLINE'), unknown: count('UNKNOWN') })}
          </Typography.Text>
          <Button onClick={() => void load()} loading={loading}>
            {t(texts.common.reload)}
          </Button>
        </Space>
      </div>
      <ErrorAlert error={error} />
      <section aria-label={t(texts.health.alerts)}>
        <Typography.Title level={2} style={{ fontSize: 20 }}>
          {t(texts.health.alerts)}
        </Typography.Title>
        {!loading && alerts.length === 0 && <Alert type="success" showIcon title={t(texts.health.noAlerts)} />}
        <Space orientation="vertical" style={{ width: '100%' }}>
          {alerts.map((r) => (
            <Alert
              key={r.systemId}
              type={r.status === 'OFFLINE' ? 'error' : 'warning'}
              showIcon
              title={t(texts.health.alertText, {
                system: r.system?.name ?? r.systemId,
                agency: names[r.agencyCode] ?? r.agencyCode,
                status: statusText(r.status),
                since: formatDateTime(r.since, lang),
                n: r.consecutiveFailures,
              })}
            />
          ))}
          {failed.length > 0 && (
            <>
              <Alert type="warning" showIcon title={t(texts.health.agencyErrors)} description={failed.map((f) => f.agency).join(', ')} />
              <ErrorAlert error={failed[0]!.error} />
            </>
          )}
        </Space>
      </section>
      <Table<HealthRow>
        aria-label={t(texts.health.table)}
        rowKey="systemId"
        loading={loading}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          {
            title: t(texts.common.status),
            dataIndex: 'status',
            render: (s: HealthRow['status']) => <ToneTag tone={COLOUR[s]}>{statusText(s)}</ToneTag>,
            filters: (['OFFLINE', 'DEGRADED', 'UNKNOWN', 'ONLINE'] as const).map((s) => ({ text: statusText(s), value: s })),
            onFilter: (value, r) => r.status === value,
          },
          {
            title: t(texts.health.system),
            key: 'system',
            render: (_, r) => (
              <>
                {r.system?.name ?? r.systemId}
                <br />
                <Muted code>{r.systemId}</Muted>
              </>
            ),
          },
          { title: t(texts.common.agency), dataIndex: 'agencyCode', render: (code: string) => `${names[code] ?? ''} (${code})` },
          { title: t(texts.health.since), dataIndex: 'since', render: (v: string | null) => formatDateTime(v, lang) },
          { title: t(texts.health.failures), dataIndex: 'consecutiveFailures' },
          { title: t(texts.health.lastChecked), dataIndex: 'lastCheckedAt', render: (v: string | null) => formatDateTime(v, lang) },
        ]}
      />
    </Space>
  );
}
