/**
 * Services the agency provides and receives (registry): its services and their versions, and the grants — which
 * agencies read which field sets of its services, and which it reads — from the access requests in testing or live.
 */
import { Card, Table, Tag, Typography } from 'antd';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { dateOnly } from './format.ts';
import { NoAgency, Page, ToneTag, useAgencyCode } from './Page.tsx';
import { requestStates, texts, versionStates } from './texts.ts';

export const SERVICES_QUERY = /* GraphQL */ `
  query AgencyServices($agency: ID!) {
    registryServices(providerAgency: $agency) {
      code
      name
      status
      currentVersion
      versions {
        version
        status
        fieldSets {
          name
          personalData
        }
        notice {
          sunsetAt
        }
      }
    }
    accessRequests {
      id
      consumerAgency
      consumerSystem
      serviceCode
      serviceVersion
      providerAgency
      fieldSets
      state
      validTo
      quota {
        requests
        perSeconds
      }
    }
  }
`;

interface Service {
  code: string;
  name: string;
  status: string;
  currentVersion: number;
  versions: Array<{ version: number; status: string; fieldSets: Array<{ name: string; personalData: boolean }>; notice: { sunsetAt: string } | null }>;
}
export interface GrantRow {
  id: string;
  consumerAgency: string;
  consumerSystem: string;
  serviceCode: string;
  serviceVersion: number;
  providerAgency: string;
  fieldSets: string[];
  state: string;
  validTo: string | null;
  quota: { requests: number; perSeconds: number } | null;
}

const GRANTED = new Set(['TESTING', 'INTEGRATION_REPORTED', 'LIVE']);

export function FieldSetTags({ names }: { names: string[] }) {
  if (names.length === 0) return <>—</>;
  return (
    <>
      {names.map((n) => (
        <Tag key={n} style={{ marginBottom: 4 }}>
          {n}
        </Tag>
      ))}
    </>
  );
}

export function Services() {
  const t = useT();
  const { lang } = useLang();
  const agency = useAgencyCode();
  const { data, error, loading } = useQuery<{ registryServices: Service[] | null; accessRequests: GrantRow[] | null }>(
    SERVICES_QUERY,
    { agency },
    { skip: agency === undefined },
  );
  if (agency === undefined)
    return (
      <Page title={texts.services}>
        <NoAgency />
      </Page>
    );
  const requests = (data?.accessRequests ?? []).filter((r) => GRANTED.has(r.state));
  const given = requests.filter((r) => r.providerAgency === agency);
  const received = requests.filter((r) => r.consumerAgency === agency);
  const stateTag = (s: string) => <ToneTag tone={s === 'LIVE' ? 'success' : 'processing'}>{t(requestStates[s] ?? { vi: s, en: s })}</ToneTag>;
  const quota = (q: GrantRow['quota']) => (q === null ? '—' : t(texts.quotaValue, { n: q.requests, s: q.perSeconds }));
  const h2 = (text: string) => (
    <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
      {text}
    </Typography.Title>
  );
  return (
    <Page title={texts.services} intro={texts.grantsNote}>
      <ErrorAlert error={error} />
      <Card title={h2(t(texts.provided))}>
        <Table
          aria-label={t(texts.provided)}
          loading={loading}
          rowKey="code"
          pagination={false}
          dataSource={data?.registryServices ?? []}
          locale={{ emptyText: t(texts.none) }}
          columns={[
            {
              title: t(texts.service),
              key: 'service',
              render: (_: unknown, s: Service) => (
                <>
                  <div>{s.name}</div>
                  <Typography.Text code>{s.code}</Typography.Text>
                </>
              ),
            },
            {
              title: t(texts.version),
              key: 'versions',
              render: (_: unknown, s: Service) =>
                s.versions.map((v) => (
                  <div key={v.version}>
                    v{v.version}{' '}
                    <ToneTag tone={v.status === 'PUBLISHED' ? 'success' : v.status === 'DEPRECATED' ? 'warning' : 'default'}>
                      {t(versionStates[v.status] ?? { vi: v.status, en: v.status })}
                    </ToneTag>
                    {v.notice !== null ? `→ ${dateOnly(v.notice.sunsetAt, lang)}` : ''}
                  </div>
                )),
            },
            {
              title: t(texts.fieldSets),
              key: 'fieldSets',
              render: (_: unknown, s: Service) => (
                <FieldSetTags names={(s.versions.find((v) => v.version === s.currentVersion) ?? s.versions.at(-1))?.fieldSets.map((f) => f.name) ?? []} />
              ),
            },
          ]}
        />
      </Card>
      <Card title={h2(t(texts.providedGrants))}>
        <Table
          aria-label={t(texts.providedGrants)}
          loading={loading}
          rowKey="id"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={given}
          locale={{ emptyText: t(texts.none) }}
          columns={[
            { title: t(texts.consumer), dataIndex: 'consumerAgency' },
            { title: t(texts.consumerSystem), dataIndex: 'consumerSystem' },
            { title: t(texts.service), key: 's', render: (_: unknown, r: GrantRow) => `${r.serviceCode} v${r.serviceVersion}` },
            { title: t(texts.fieldSets), dataIndex: 'fieldSets', render: (f: string[]) => <FieldSetTags names={f} /> },
            { title: t(texts.requestState), dataIndex: 'state', render: stateTag },
            { title: t(texts.quota), dataIndex: 'quota', render: quota },
            { title: t(texts.validTo), dataIndex: 'validTo', render: (v: string | null) => dateOnly(v, lang) },
          ]}
        />
      </Card>
      <Card title={h2(t(texts.receivedGrants))}>
        <Table
          aria-label={t(texts.receivedGrants)}
          loading={loading}
          rowKey="id"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={received}
          locale={{ emptyText: t(texts.none) }}
          columns={[
            { title: t(texts.provider), dataIndex: 'providerAgency' },
            { title: t(texts.service), key: 's', render: (_: unknown, r: GrantRow) => `${r.serviceCode} v${r.serviceVersion}` },
            { title: t(texts.consumerSystem), dataIndex: 'consumerSystem' },
            { title: t(texts.fieldSets), dataIndex: 'fieldSets', render: (f: string[]) => <FieldSetTags names={f} /> },
            { title: t(texts.requestState), dataIndex: 'state', render: stateTag },
            { title: t(texts.quota), dataIndex: 'quota', render: quota },
            { title: t(texts.validTo), dataIndex: 'validTo', render: (v: string | null) => dateOnly(v, lang) },
          ]}
        />
      </Card>
    </Page>
  );
}
