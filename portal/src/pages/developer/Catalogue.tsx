/** The service catalogue: every published service and version, searchable; a service opens its detail page. */
import { Input, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { formatDate } from './format.ts';
import { CATALOGUE_QUERY, type Agency, type Service, type Version } from './queries.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { texts } from './texts.ts';
import { Tone } from './Tone.tsx';

export function VersionStatusTag({ version }: { version: Version }) {
  const t = useT();
  const { lang } = useLang();
  const tone = version.status === 'PUBLISHED' ? 'green' : version.status === 'DEPRECATED' ? 'orange' : 'grey';
  const label = t(texts[`versionStatus${version.status}`]);
  const sunset = version.notice?.sunsetAt;
  return (
    <Tone tone={tone}>
      v{version.version}: {label}
      {sunset !== undefined && version.status !== 'RETIRED' ? ` — ${t(texts.sunsetAt)} ${formatDate(sunset, lang, false)}` : ''}
    </Tone>
  );
}

export function agencyName(agencies: Agency[] | undefined, code: string): string {
  const agency = agencies?.find((a) => a.code === code);
  return agency === undefined ? code : `${agency.shortName ?? agency.name} (${code})`;
}

export function Catalogue() {
  const t = useT();
  const { data, error, loading } = useQuery<{ registryServices: Service[] | null; registryAgencies: Agency[] | null }>(CATALOGUE_QUERY);
  const [search, setSearch] = useState('');
  const services = useMemo(() => {
    const words = search.trim().toLocaleLowerCase('vi').split(/\s+/).filter(Boolean);
    return (data?.registryServices ?? []).filter((s) => {
      const haystack = [
        s.code,
        s.name,
        s.providerAgency,
        agencyName(data?.registryAgencies ?? undefined, s.providerAgency),
        ...s.versions.flatMap((v) => v.fieldSets.flatMap((f) => [f.name, f.description])),
      ]
        .join(' ')
        .toLocaleLowerCase('vi');
      return words.every((w) => haystack.includes(w));
    });
  }, [data, search]);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(texts.catalogue)}
      </Typography.Title>
      <ErrorAlert error={error} />
      <Space direction="vertical" style={{ width: '100%' }} size="middle">
        <label htmlFor="catalogue-search" style={{ display: 'block' }}>
          {t(texts.searchLabel)}
          <Input.Search
            id="catalogue-search"
            allowClear
            placeholder={t(texts.searchPlaceholder)}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            style={{ maxWidth: 520, display: 'block', marginTop: 4 }}
          />
        </label>
        <Table<Service>
          rowKey="code"
          loading={loading}
          dataSource={services}
          pagination={false}
          aria-label={t(texts.servicesCaption)}
          caption={<span style={{ position: 'absolute', left: -10000 }}>{t(texts.servicesCaption)}</span>}
          locale={{ emptyText: <Muted>{t(texts.noService)}</Muted> }}
          columns={[
            {
              title: t(texts.name),
              key: 'name',
              render: (_, s) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/developer/catalogue/${encodeURIComponent(s.code)}`}>{s.name}</Link>
                  <Typography.Text code>{s.code}</Typography.Text>
                </Space>
              ),
            },
            { title: t(texts.provider), key: 'provider', render: (_, s) => agencyName(data?.registryAgencies ?? undefined, s.providerAgency) },
            { title: t(texts.kind), key: 'kind', render: (_, s) => t(texts[`kind${s.kind}`]) },
            {
              title: t(texts.versions),
              key: 'versions',
              render: (_, s) => (
                <Space wrap size={[0, 4]}>
                  {s.versions.map((v) => (
                    <VersionStatusTag key={v.id} version={v} />
                  ))}
                </Space>
              ),
            },
            {
              title: t(texts.fieldSets),
              key: 'fieldSets',
              render: (_, s) => {
                const current = s.versions.find((v) => v.version === s.currentVersion);
                return (
                  <Space wrap size={[0, 4]}>
                    {(current?.fieldSets ?? []).map((f) => (
                      <Tone key={f.name} tone={f.personalData ? 'volcano' : 'blue'} title={f.description}>
                        {f.name}
                      </Tone>
                    ))}
                  </Space>
                );
              },
            },
            {
              title: t(texts.status),
              key: 'status',
              render: (_, s) => (
                <Tone tone={s.status === 'ACTIVE' ? 'green' : 'grey'}>{t(s.status === 'ACTIVE' ? texts.serviceStatusACTIVE : texts.serviceStatusRETIRED)}</Tone>
              ),
            },
          ]}
        />
      </Space>
    </>
  );
}
