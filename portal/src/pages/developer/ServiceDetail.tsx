/** One service: its versions with lifecycle status, field sets, how to call it, schema docs and sample operations. */
import { Alert, Button, Card, Collapse, Descriptions, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { VersionStatusTag } from './Catalogue.tsx';
import { formatDate } from './format.ts';
import { SERVICE_QUERY, type FieldDoc, type Service, type Version } from './queries.ts';
import { fieldSetDocs, loadSchemaDocs, sampleOperation, type SchemaDocs } from './schema-docs.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { texts } from './texts.ts';
import { Tone } from './Tone.tsx';

/** A schema description without its Markdown emphasis (`**Personal data**`). */
const plain = (text: string | null): string => (text === null ? '—' : text.replace(/\*\*/g, ''));

const codeStyle = { background: '#f5f5f5', padding: 12, borderRadius: 6, whiteSpace: 'pre-wrap' as const, overflowX: 'auto' as const };

export function ServiceDetail() {
  const t = useT();
  const { code = '' } = useParams();
  const { data, error, loading } = useQuery<{ registryService: Service | null }>(SERVICE_QUERY, { code });
  const [docs, setDocs] = useState<SchemaDocs | undefined>();
  const service = data?.registryService ?? undefined;
  useEffect(() => {
    if (service?.kind === 'SUBGRAPH') void loadSchemaDocs().then(setDocs);
  }, [service?.kind]);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {service?.name ?? t(texts.service)}
      </Typography.Title>
      <ErrorAlert error={error} />
      {loading && <Typography.Text>…</Typography.Text>}
      {service !== undefined && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Space wrap>
            <Typography.Text code>{service.code}</Typography.Text>
            <Tone tone="grey">{t(texts[`kind${service.kind}`])}</Tone>
            <Link to={`/developer/requests/new?service=${encodeURIComponent(service.code)}`}>
              <Button type="primary">{t(texts.requestThis)}</Button>
            </Link>
            <Link to="/developer/catalogue">{t(texts.back)}</Link>
          </Space>
          {[...service.versions].reverse().map((version) => (
            <VersionCard key={version.id} service={service} version={version} docs={docs} />
          ))}
        </Space>
      )}
    </>
  );
}

function VersionCard({ service, version, docs }: { service: Service; version: Version; docs: SchemaDocs | undefined }) {
  const t = useT();
  const { lang } = useLang();
  const d = version.description;
  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {t(texts.version)} {version.version}
        </Typography.Title>
      }
      extra={<VersionStatusTag version={version} />}
    >
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
        <Descriptions.Item label={t(texts.publishedAt)}>{formatDate(version.publishedAt, lang)}</Descriptions.Item>
        {version.supersededAt && <Descriptions.Item label={t(texts.supersededAt)}>{formatDate(version.supersededAt, lang)}</Descriptions.Item>}
        {version.keepUntil && <Descriptions.Item label={t(texts.keepUntil)}>{formatDate(version.keepUntil, lang)}</Descriptions.Item>}
        {version.notice && <Descriptions.Item label={t(texts.sunsetAt)}>{formatDate(version.notice.sunsetAt, lang)}</Descriptions.Item>}
        {version.notice && <Descriptions.Item label={t(texts.noticeReason)}>{version.notice.reason}</Descriptions.Item>}
        {version.retiredAt && <Descriptions.Item label={t(texts.retiredAt)}>{formatDate(version.retiredAt, lang)}</Descriptions.Item>}
      </Descriptions>
      {version.notice !== null && version.notice.fields.length > 0 && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          title={t(texts.droppedFields)}
          description={
            <ul>
              {version.notice.fields.map((f) => (
                <li key={f.coordinate}>
                  <code>{f.coordinate}</code>: {f.reason}
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>
        {t(texts.fieldSets)}
      </Typography.Title>
      {version.fieldSets.length === 0 ? (
        <Typography.Paragraph>{t(texts.schemaRelay)}</Typography.Paragraph>
      ) : (
        <Table
          size="small"
          rowKey="name"
          pagination={false}
          dataSource={version.fieldSets}
          caption={<span className="sr-only" style={{ position: 'absolute', left: -10000 }}>{`${t(texts.fieldSets)} v${version.version}`}</span>}
          columns={[
            { title: t(texts.code), dataIndex: 'name', render: (name: string) => <code>{name}</code> },
            { title: t(texts.description), dataIndex: 'description' },
            {
              title: t(texts.personalData),
              dataIndex: 'personalData',
              render: (p: boolean) => <Tone tone={p ? 'volcano' : 'blue'}>{t(p ? texts.personalData : texts.notPersonal)}</Tone>,
            },
          ]}
        />
      )}
      {d !== undefined && (
        <>
          <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>
            {t(texts.howToCall)}
          </Typography.Title>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t(texts.authentication)}>{d.authentication}</Descriptions.Item>
            <Descriptions.Item label={t(texts.method)}>{d.method}</Descriptions.Item>
            <Descriptions.Item label={t(texts.url)}>{d.url}</Descriptions.Item>
            <Descriptions.Item label={t(texts.requestFormat)}>{d.requestFormat}</Descriptions.Item>
            <Descriptions.Item label={t(texts.responseFormat)}>{d.responseFormat}</Descriptions.Item>
            <Descriptions.Item label={t(texts.headers)}>
              {d.headers.map((h) => (
                <div key={h.name}>
                  <code>{h.name}</code>: {h.description}
                </div>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.purpose)}>{d.purpose}</Descriptions.Item>
            <Descriptions.Item label={t(texts.states)}>
              {d.states.map((s) => (
                <div key={s.code}>
                  <code>{s.code}</code>: {s.meaning}
                </div>
              ))}
            </Descriptions.Item>
          </Descriptions>
        </>
      )}
      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>
        {t(texts.samples)}
      </Typography.Title>
      {d !== undefined && (
        <>
          <Typography.Text strong>{t(texts.sampleFromProvider)}</Typography.Text>
          <pre style={codeStyle} aria-label={t(texts.sampleFromProvider)} tabIndex={0}>
            {d.requestSample}
          </pre>
          <Typography.Text strong>{t(texts.responseSample)}</Typography.Text>
          <pre style={codeStyle} aria-label={t(texts.responseSample)} tabIndex={0}>
            {d.responseSample}
          </pre>
        </>
      )}
      {service.kind === 'SUBGRAPH' && version.status !== 'RETIRED' && <SchemaDocsSection version={version} docs={docs} />}
    </Card>
  );
}

/**
 * Schema docs of each field set: the fields it covers with their types and descriptions, from the registry
 * (`OfferedFieldSet.fieldDocs`, read from the composed supergraph: every environment, introspection or not); a sample
 * operation built from the schema where the gateway allows introspection.
 */
function SchemaDocsSection({ version, docs }: { version: Version; docs: SchemaDocs | undefined }) {
  const t = useT();
  const schema = docs?.available === true ? docs.schema : undefined;
  return (
    <>
      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>
        {t(texts.schemaDocs)}
      </Typography.Title>
      <Typography.Paragraph>
        <Muted>{t(texts.fieldDocsSource)}</Muted>
      </Typography.Paragraph>
      <Collapse
        defaultActiveKey={version.fieldSets.map((f) => f.name)}
        items={version.fieldSets.map((fieldSet) => {
          const fieldDocs = fieldSet.fieldDocs ?? [];
          const sample = schema === undefined ? undefined : sampleOperation(schema, fieldSetDocs(schema, fieldSet.name), fieldSet.fields);
          return {
            key: fieldSet.name,
            label: <code>{fieldSet.name}</code>,
            children: (
              <Space direction="vertical" style={{ width: '100%' }}>
                {fieldDocs.length === 0 ? (
                  <Typography.Paragraph>{t(texts.fieldDocsNone)}</Typography.Paragraph>
                ) : (
                  <Table<FieldDoc>
                    size="small"
                    rowKey="coordinate"
                    pagination={false}
                    dataSource={fieldDocs}
                    caption={<span style={{ position: 'absolute', left: -10000 }}>{`${t(texts.schemaDocs)}: ${fieldSet.name}`}</span>}
                    columns={[
                      { title: t(texts.coordinate), key: 'coordinate', render: (_, f) => <code>{f.coordinate}</code> },
                      { title: t(texts.type), key: 'type', render: (_, f) => <code>{f.type}</code> },
                      { title: t(texts.description), key: 'description', render: (_, f) => plain(f.description) },
                    ]}
                  />
                )}
                {sample !== undefined ? (
                  <>
                    <Typography.Text strong>{t(texts.sampleBuilt, { fs: fieldSet.name })}</Typography.Text>
                    <pre style={codeStyle} tabIndex={0} aria-label={t(texts.sampleBuilt, { fs: fieldSet.name })}>
                      {sample}
                    </pre>
                  </>
                ) : docs?.available === false && docs.reason === 'INTROSPECTION_DISABLED' ? (
                  <Typography.Paragraph>
                    <Muted>{t(texts.sampleNeedsIntrospection)}</Muted>
                  </Typography.Paragraph>
                ) : docs?.available === false ? (
                  <ErrorAlert error={docs.error} />
                ) : null}
              </Space>
            ),
          };
        })}
      />
    </>
  );
}
