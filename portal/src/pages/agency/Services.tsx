/**
 * Services the agency provides and receives (registry): its services and their versions, and the grants the gateway
 * enforces (registry `grants`) — which agencies read which field sets of its services, and which it reads — whether
 * written by an access request or configured on the gateway.
 */
import { Card, Table, Tag, Typography } from 'antd';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { dateOnly } from './format.ts';
import { NoAgency, Page, ToneTag, useAgencyCode } from './Page.tsx';
import { texts, versionStates } from './texts.ts';

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
    given: grants(providerAgency: $agency) {
      ...AgencyGrant
    }
    received: grants(consumerAgency: $agency) {
      ...AgencyGrant
    }
  }

  fragment AgencyGrant on GrantView {
    id
    origin
    accessRequestId
    providerAgency
    providerAgencyName
    consumerAgency
    consumerAgencyName
    service
    fieldSets
    purposes
    environment
    validTo
    active
    quota {
      requests
      perSeconds
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
/** A grant the gateway enforces (registry `grants`). */
export interface GrantRow {
  id: string;
  origin: 'ACCESS_REQUEST' | 'CONFIGURED';
  accessRequestId: string | null;
  providerAgency: string;
  providerAgencyName: string | null;
  consumerAgency: string;
  consumerAgencyName: string | null;
  service: string;
  fieldSets: string[];
  purposes: string[];
  environment: 'TEST' | 'PRODUCTION';
  validTo: string | null;
  active: boolean;
  quota: { requests: number; perSeconds: number } | null;
}

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
  const { data, error, loading } = useQuery<{ registryServices: Service[] | null; given: GrantRow[] | null; received: GrantRow[] | null }>(
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
  const given = data?.given ?? [];
  const received = data?.received ?? [];
  const agencyOf = (code: string, name: string | null) => (code === '*' ? t(texts.everyAgency) : name === null ? code : `${name} (${code})`);
  const envTag = (g: GrantRow) => (
    <>
      <ToneTag tone={g.environment === 'PRODUCTION' ? 'success' : 'processing'}>
        {t(g.environment === 'PRODUCTION' ? texts.envPRODUCTION : texts.envTEST)}
      </ToneTag>
      {g.active ? null : <ToneTag tone="default">{t(texts.inactive)}</ToneTag>}
    </>
  );
  const origin = (g: GrantRow) => (g.accessRequestId === null ? t(texts.originConfigured) : t(texts.originRequest, { id: g.accessRequestId }));
  const grantColumns = (side: 'consumer' | 'provider') => [
    side === 'consumer'
      ? { title: t(texts.consumer), key: 'agency', render: (_: unknown, g: GrantRow) => agencyOf(g.consumerAgency, g.consumerAgencyName) }
      : { title: t(texts.provider), key: 'agency', render: (_: unknown, g: GrantRow) => agencyOf(g.providerAgency, g.providerAgencyName) },
    { title: t(texts.service), dataIndex: 'service', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: t(texts.fieldSets), dataIndex: 'fieldSets', render: (f: string[]) => <FieldSetTags names={f} /> },
    { title: t(texts.purposes), dataIndex: 'purposes', render: (p: string[]) => p.join(', ') },
    { title: t(texts.environment), key: 'env', render: (_: unknown, g: GrantRow) => envTag(g) },
    { title: t(texts.origin), key: 'origin', render: (_: unknown, g: GrantRow) => origin(g) },
    { title: t(texts.quota), dataIndex: 'quota', render: quota },
    { title: t(texts.validTo), dataIndex: 'validTo', render: (v: string | null) => dateOnly(v, lang) },
  ];
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
          columns={grantColumns('consumer')}
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
          columns={grantColumns('provider')}
        />
      </Card>
    </Page>
  );
}
