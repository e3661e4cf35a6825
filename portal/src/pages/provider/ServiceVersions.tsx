/**
 * The provider's services and their versions (registry `registryServices` of its agency, `serviceRegistrations`):
 * publish a new version (`submitServiceRegistration`: description, field sets, sample operations, fields dropped;
 * the operator approves it), announce a version's retirement with its sunset date (`announceServiceRetirement`, at
 * least 60 days ahead — the date field's `min` — and not before the 180-day keep), and retire a version
 * (`retireServiceVersion`). Every refusal of the API is shown in Vietnamese; nothing changes then.
 */
import { Alert, Button, Card, Checkbox, Drawer, Form, Input, Modal, Popconfirm, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { PortalError } from '../../shell/errors.ts';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { DAY_MS, dateOnly, dateTime, vietnamToday } from '../agency/format.ts';
import { NoAgency, Page, ToneTag, useAgencyCode } from '../agency/Page.tsx';
import { versionStates } from '../agency/texts.ts';
import { texts } from './texts.ts';
import { SectionCard } from '../../shell/ui/form.tsx';

export const PROVIDER_SERVICES_QUERY = /* GraphQL */ `
  query ProviderServices($agency: ID!) {
    registryServices(providerAgency: $agency) {
      code
      name
      providerSystem
      kind
      subgraph
      relayDataType
      status
      currentVersion
      versions {
        version
        status
        publishedAt
        keepUntil
        retiredAt
        notice {
          reason
          noticeAt
          sunsetAt
        }
        description {
          authentication
          method
          url
          requestFormat
          responseFormat
          headers {
            name
            description
          }
          requestSample
          responseSample
          purpose
          states {
            code
            meaning
          }
        }
        fieldSets {
          name
          description
          personalData
        }
      }
    }
    serviceRegistrations {
      id
      serviceCode
      state
      clock
      dueAt
      overdue
    }
  }
`;

const SUBMIT_MUTATION = /* GraphQL */ `
  mutation ProviderPublishVersion($agency: ID!, $input: ServiceProposalInput!) {
    submitServiceRegistration(providerAgency: $agency, input: $input) {
      id
      state
      dueAt
    }
  }
`;

const ANNOUNCE_MUTATION = /* GraphQL */ `
  mutation ProviderAnnounceRetirement($code: ID!, $version: Int!, $reason: String!, $sunsetAt: String!) {
    announceServiceRetirement(serviceCode: $code, version: $version, reason: $reason, sunsetAt: $sunsetAt) {
      version
      status
      notice {
        sunsetAt
      }
    }
  }
`;

const RETIRE_MUTATION = /* GraphQL */ `
  mutation ProviderRetireVersion($code: ID!, $version: Int!) {
    retireServiceVersion(serviceCode: $code, version: $version) {
      version
      status
      retiredAt
    }
  }
`;

interface Description {
  authentication: string;
  method: string;
  url: string;
  requestFormat: string;
  responseFormat: string;
  headers: Array<{ name: string; description: string }>;
  requestSample: string;
  responseSample: string;
  purpose: string;
  states: Array<{ code: string; meaning: string }>;
}
interface FieldSet {
  name: string;
  description: string;
  personalData: boolean;
}
interface Version {
  version: number;
  status: string;
  publishedAt: string;
  keepUntil: string | null;
  retiredAt: string | null;
  notice: { reason: string; noticeAt: string; sunsetAt: string } | null;
  description: Description;
  fieldSets: FieldSet[];
}
interface Service {
  code: string;
  name: string;
  providerSystem: string;
  kind: string;
  subgraph: string | null;
  relayDataType: string | null;
  status: string;
  currentVersion: number;
  versions: Version[];
}
interface Registration {
  id: string;
  serviceCode: string;
  state: string;
  clock: string | null;
  dueAt: string | null;
  overdue: boolean;
}

const strip = <T extends object>(items: T[]): T[] => items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== '__typename')) as T);

interface PublishValues {
  name: string;
  purpose: string;
  authentication: string;
  method: string;
  url: string;
  requestFormat: string;
  responseFormat: string;
  requestSample: string;
  responseSample: string;
  fieldSets: FieldSet[];
  deprecatedFields: Array<{ coordinate: string; reason: string }>;
}

function PublishForm({ service, agency, onClose, onDone }: { service: Service; agency: string; onClose(): void; onDone(message: string): void }) {
  const t = useT();
  const { lang } = useLang();
  const [form] = Form.useForm<PublishValues>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const current = service.versions.find((v) => v.version === service.currentVersion) ?? service.versions.at(-1)!;
  const prefix = service.subgraph ?? service.relayDataType?.toLowerCase() ?? service.code;
  const initial: PublishValues = {
    name: service.name,
    ...current.description,
    fieldSets: current.fieldSets.map((f) => ({ ...f })),
    deprecatedFields: [],
  };
  const required = { required: true, whitespace: true, message: t(texts.required) };
  const submit = async (values: PublishValues) => {
    setBusy(true);
    setError(undefined);
    try {
      const input = {
        code: service.code,
        name: values.name,
        providerSystem: service.providerSystem,
        kind: service.kind,
        subgraph: service.subgraph,
        relayDataType: service.relayDataType,
        description: {
          authentication: values.authentication,
          method: values.method,
          url: values.url,
          requestFormat: values.requestFormat,
          responseFormat: values.responseFormat,
          headers: strip(current.description.headers),
          requestSample: values.requestSample,
          responseSample: values.responseSample,
          purpose: values.purpose,
          states: strip(current.description.states),
        },
        fieldSets: values.fieldSets.map((f) => ({ name: f.name, description: f.description, personalData: f.personalData === true })),
        deprecatedFields: (values.deprecatedFields ?? []).map((d) => ({ coordinate: d.coordinate, reason: d.reason })),
      };
      const data = await graphql<{ submitServiceRegistration: { id: string; state: string; dueAt: string | null } }>(SUBMIT_MUTATION, { agency, input });
      const r = data.submitServiceRegistration;
      onDone(t(texts.submitted, { id: r.id, state: t(texts.registrationState[r.state] ?? { vi: r.state, en: r.state }), due: dateOnly(r.dueAt, lang) }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const text = (name: keyof PublishValues, label: keyof typeof texts, area?: 'prose' | 'code') => (
    <Form.Item name={name} label={t(texts[label] as { vi: string; en: string })} rules={[required]}>
      {area === undefined ? <Input /> : <Input.TextArea rows={3} style={area === 'code' ? { fontFamily: 'monospace' } : {}} />}
    </Form.Item>
  );
  return (
    <Drawer open size={720} title={t(texts.publishTitle, { service: service.name })} onClose={onClose} destroyOnHidden>
      <Form<PublishValues> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void submit(v)}>
        {text('name', 'name')}
        {text('purpose', 'purpose', 'prose')}
        {text('authentication', 'authentication')}
        {text('method', 'method')}
        {text('url', 'url')}
        {text('requestFormat', 'requestFormat')}
        {text('responseFormat', 'responseFormat')}
        {text('requestSample', 'requestSample', 'code')}
        {text('responseSample', 'responseSample', 'code')}
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t(texts.fieldSets)}
        </Typography.Title>
        <Form.List name="fieldSets">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, index) => (
                <Card key={field.key} size="small" style={{ marginBottom: 12 }}>
                  <Form.Item
                    name={[field.name, 'name']}
                    label={t(texts.fieldSetName)}
                    rules={[
                      required,
                      {
                        pattern: new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[a-z0-9.-]+$`),
                        message: t(texts.fieldSetPattern, { prefix }),
                      },
                    ]}
                  >
                    <Input />
                  </Form.Item>
                  <Form.Item name={[field.name, 'description']} label={t(texts.fieldSetDescription)} rules={[required]}>
                    <Input.TextArea rows={2} />
                  </Form.Item>
                  <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                    <Form.Item name={[field.name, 'personalData']} valuePropName="checked" style={{ margin: 0 }}>
                      <Checkbox>{t(texts.personalData)}</Checkbox>
                    </Form.Item>
                    <Button danger size="small" onClick={() => remove(field.name)} disabled={fields.length <= 1}>
                      {t(texts.removeFieldSet, { n: index + 1 })}
                    </Button>
                  </Space>
                </Card>
              ))}
              <Button onClick={() => add({ name: `${prefix}.`, description: '', personalData: false })}>{t(texts.addFieldSet)}</Button>
            </>
          )}
        </Form.List>
        <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>
          {t(texts.deprecatedFields)}
        </Typography.Title>
        <Form.List name="deprecatedFields">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, index) => (
                <Space key={field.key} align="start" wrap>
                  <Form.Item
                    name={[field.name, 'coordinate']}
                    label={t(texts.coordinate)}
                    rules={[required, { pattern: /^[A-Z][A-Za-z0-9_]*\.[a-z_][A-Za-z0-9_]*$/, message: t(texts.coordinatePattern) }]}
                  >
                    <Input placeholder="Citizen.household" />
                  </Form.Item>
                  <Form.Item name={[field.name, 'reason']} label={t(texts.deprecatedReason)} rules={[required]}>
                    <Input />
                  </Form.Item>
                  <Button style={{ marginTop: 30 }} onClick={() => remove(field.name)}>
                    {t(texts.removeDeprecated, { n: index + 1 })}
                  </Button>
                </Space>
              ))}
              <Button onClick={() => add({ coordinate: '', reason: '' })}>{t(texts.addDeprecated)}</Button>
            </>
          )}
        </Form.List>
        <div style={{ marginTop: 24 }}>
          <ErrorAlert error={error} />
        </div>
        <Space style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t(texts.submit)}
          </Button>
          <Button onClick={onClose}>{t(texts.cancel)}</Button>
        </Space>
      </Form>
    </Drawer>
  );
}

/** The earliest sunset the form offers: 61 days from today (Vietnam), and after the version's keep. */
function earliestSunset(version: Version): string {
  const sixty = vietnamToday(new Date(Date.now() + 61 * DAY_MS));
  const keep = version.keepUntil === null ? '' : vietnamToday(new Date(Date.parse(version.keepUntil) + DAY_MS));
  return keep > sixty ? keep : sixty;
}

/** When the registry lets a version with a notice be retired: 60 days after the notice, and after its 180-day keep. */
function earliestRetirement(version: Version): number {
  const notice = version.notice === null ? Infinity : Date.parse(version.notice.noticeAt) + 60 * DAY_MS;
  return Math.max(notice, version.keepUntil === null ? 0 : Date.parse(version.keepUntil));
}

function AnnounceForm({ service, version, onClose, onDone }: { service: Service; version: Version; onClose(): void; onDone(message: string): void }) {
  const t = useT();
  const { lang } = useLang();
  const [form] = Form.useForm<{ reason: string; sunset: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const min = earliestSunset(version);
  const submit = async (values: { reason: string; sunset: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const sunsetAt = new Date(`${values.sunset}T00:00:00+07:00`).toISOString();
      const data = await graphql<{ announceServiceRetirement: { version: number; notice: { sunsetAt: string } | null } }>(ANNOUNCE_MUTATION, {
        code: service.code,
        version: version.version,
        reason: values.reason,
        sunsetAt,
      });
      onDone(t(texts.announced, { version: version.version, at: dateOnly(data.announceServiceRetirement.notice?.sunsetAt, lang) }));
    } catch (e) {
      setError(e);
      if (e instanceof PortalError && e.code === 'ILLEGAL_TRANSITION' && /sunsetAt/.test(e.message))
        form.setFields([{ name: 'sunset', errors: [t(texts.sunsetTooSoon)] }]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t(texts.announceTitle, { service: service.name, version: version.version })} onCancel={onClose} footer={null} destroyOnHidden>
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{ reason: '', sunset: version.notice !== null ? vietnamToday(new Date(version.notice.sunsetAt)) : min }}
      >
        <Form.Item name="reason" label={t(texts.announceReason)} rules={[{ required: true, whitespace: true, message: t(texts.required) }]}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
        {/* The browser enforces `min` (60 days' notice); the API checks it again, and the 180-day keep. */}
        <Form.Item name="sunset" label={t(texts.sunsetLabel)} rules={[{ required: true, message: t(texts.required) }]}>
          <Input type="date" min={min} />
        </Form.Item>
        <ErrorAlert error={error} />
        <Space style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t(texts.announce)}
          </Button>
          <Button onClick={onClose}>{t(texts.cancel)}</Button>
        </Space>
      </Form>
    </Modal>
  );
}

function ServiceCard({ service, agency, onChanged }: { service: Service; agency: string; onChanged(message: string): void }) {
  const t = useT();
  const { lang } = useLang();
  const [publishing, setPublishing] = useState(false);
  const [announcing, setAnnouncing] = useState<Version | undefined>();
  const [error, setError] = useState<unknown>();
  const retire = async (version: Version) => {
    setError(undefined);
    try {
      await graphql(RETIRE_MUTATION, { code: service.code, version: version.version });
      onChanged(t(texts.retired, { version: version.version }));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card
      title={
        <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
          {service.name} <Typography.Text code>{service.code}</Typography.Text>
        </Typography.Title>
      }
      extra={
        <Button type="primary" onClick={() => setPublishing(true)} aria-label={`${t(texts.publish)}: ${service.code}`}>
          {t(texts.publish)}
        </Button>
      }
    >
      <ErrorAlert error={error} />
      <Table
        aria-label={t(texts.versionsOf, { service: service.code })}
        size="small"
        rowKey="version"
        pagination={false}
        dataSource={[...service.versions].sort((a, b) => b.version - a.version)}
        columns={[
          { title: t(texts.version), dataIndex: 'version', render: (v: number) => `v${v}` },
          {
            title: t(texts.status),
            dataIndex: 'status',
            render: (s: string) => (
              <ToneTag tone={s === 'PUBLISHED' ? 'success' : s === 'DEPRECATED' ? 'warning' : 'default'}>{t(versionStates[s] ?? { vi: s, en: s })}</ToneTag>
            ),
          },
          { title: t(texts.publishedAt), dataIndex: 'publishedAt', render: (v: string) => dateOnly(v, lang) },
          { title: t(texts.keepUntil), dataIndex: 'keepUntil', render: (v: string | null) => dateOnly(v, lang) },
          {
            title: t(texts.sunsetAt),
            key: 'sunset',
            render: (_: unknown, v: Version) =>
              v.retiredAt !== null
                ? dateTime(v.retiredAt, lang)
                : v.notice !== null
                  ? t(texts.noticeLine, { at: dateOnly(v.notice.sunsetAt, lang), reason: v.notice.reason })
                  : '—',
          },
          { title: t(texts.fieldSets), key: 'fs', render: (_: unknown, v: Version) => v.fieldSets.map((f) => f.name).join(', ') },
          {
            title: t(texts.actions),
            key: 'actions',
            render: (_: unknown, v: Version) =>
              v.status === 'RETIRED' ? null : (
                <Space wrap>
                  <Button size="small" onClick={() => setAnnouncing(v)} aria-label={`${t(texts.announce)}: v${v.version}`}>
                    {t(texts.announce)}
                  </Button>
                  {v.notice !== null && earliestRetirement(v) > Date.now() ? (
                    <Typography.Text>{t(texts.retireFrom, { at: dateOnly(new Date(earliestRetirement(v)).toISOString(), lang) })}</Typography.Text>
                  ) : null}
                  {v.notice !== null && earliestRetirement(v) <= Date.now() ? (
                    <Popconfirm
                      title={t(texts.retireConfirm, { version: v.version })}
                      okText={t(texts.yes)}
                      cancelText={t(texts.no)}
                      onConfirm={() => void retire(v)}
                    >
                      <Button size="small" danger aria-label={`${t(texts.retire)}: v${v.version}`}>
                        {t(texts.retire)}
                      </Button>
                    </Popconfirm>
                  ) : null}
                </Space>
              ),
          },
        ]}
      />
      {publishing ? (
        <PublishForm
          service={service}
          agency={agency}
          onClose={() => setPublishing(false)}
          onDone={(m) => {
            setPublishing(false);
            onChanged(m);
          }}
        />
      ) : null}
      {announcing !== undefined ? (
        <AnnounceForm
          service={service}
          version={announcing}
          onClose={() => setAnnouncing(undefined)}
          onDone={(m) => {
            setAnnouncing(undefined);
            onChanged(m);
          }}
        />
      ) : null}
    </Card>
  );
}

export function ServiceVersions() {
  const t = useT();
  const { lang } = useLang();
  const agency = useAgencyCode();
  const [message, setMessage] = useState<string | undefined>();
  const { data, error, loading, reload } = useQuery<{ registryServices: Service[] | null; serviceRegistrations: Registration[] | null }>(
    PROVIDER_SERVICES_QUERY,
    { agency },
    { skip: agency === undefined },
  );
  if (agency === undefined)
    return (
      <Page title={texts.services}>
        <NoAgency />
      </Page>
    );
  const pending = (data?.serviceRegistrations ?? []).filter((r) => r.dueAt !== null);
  return (
    <Page title={texts.services} intro={texts.servicesIntro}>
      {message !== undefined ? <Alert type="success" showIcon role="status" title={message} closable={{ onClose: () => setMessage(undefined) }} /> : null}
      <ErrorAlert error={error} />
      {loading && data === undefined ? <Card loading /> : null}
      {(data?.registryServices ?? []).map((service) => (
        <ServiceCard
          key={service.code}
          service={service}
          agency={agency}
          onChanged={(m) => {
            setMessage(m);
            reload();
          }}
        />
      ))}
      {pending.length > 0 ? (
        <SectionCard title={t(texts.registrations)}>
          <Table
            aria-label={t(texts.registrations)}
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={pending}
            columns={[
              { title: 'ID', dataIndex: 'id' },
              { title: t(texts.service), dataIndex: 'serviceCode' },
              {
                title: t(texts.status),
                dataIndex: 'state',
                render: (s: string) => <ToneTag tone="processing">{t(texts.registrationState[s] ?? { vi: s, en: s })}</ToneTag>,
              },
              {
                title: t(texts.dueAt),
                key: 'due',
                render: (_: unknown, r: Registration) => (
                  <>
                    {dateOnly(r.dueAt, lang)} {r.overdue ? <ToneTag tone="error">{t(texts.overdue)}</ToneTag> : null}
                  </>
                ),
              },
            ]}
          />
        </SectionCard>
      ) : null}
    </Page>
  );
}
