/**
 * The operator's agencies: every agency of the registry with its information systems, and the onboarding's first
 * step — registering a new agency (registerAgency) and its system (registerInformationSystem).
 */
import { Alert, Button, Checkbox, Col, Form, Input, Row, Select, Space, Table, Typography } from 'antd';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { formatDateTime } from '../../shell/ui/format.ts';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { ToneTag } from '../../shell/ui/ToneTag.tsx';
import { SectionCard, useSubmission } from '../../shell/ui/form.tsx';

const AGENCIES_QUERY = /* GraphQL */ `
  query OperatorAgencies {
    registryAgencies {
      code
      name
      shortName
      englishName
      parentCode
      status
      updatedAt
    }
    informationSystems {
      id
      agencyCode
      name
      purpose
      environments
    }
  }
`;

const REGISTER_AGENCY = /* GraphQL */ `
  mutation OperatorRegisterAgency($input: RegisterAgencyInput!) {
    registerAgency(input: $input) {
      code
      name
    }
  }
`;

const REGISTER_SYSTEM = /* GraphQL */ `
  mutation OperatorRegisterSystem($input: RegisterSystemInput!) {
    registerInformationSystem(input: $input) {
      id
      name
    }
  }
`;

export interface RegistryAgency {
  code: string;
  name: string;
  shortName: string | null;
  englishName: string | null;
  parentCode: string | null;
  status: string;
  updatedAt: string;
}
interface System {
  id: string;
  agencyCode: string;
  name: string;
  purpose: string;
  environments: string[];
}

const AGENCY_CODE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const optional = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());

function RegisterAgencyForm({ onDone }: { onDone(): void }) {
  const t = useT();
  const [form] = Form.useForm<{ code: string; name: string; shortName?: string; englishName?: string; parentCode?: string }>();
  const submission = useSubmission<string>();
  return (
    <SectionCard title={t(texts.agencies.registerAgency)}>
      <Form
        name="agency"
        form={form}
        layout="vertical"
        onFinish={(values) =>
          submission.run(async () => {
            const input = {
              code: values.code.trim(),
              name: values.name.trim(),
              shortName: optional(values.shortName),
              englishName: optional(values.englishName),
              parentCode: optional(values.parentCode),
            };
            const { registerAgency } = await graphql<{ registerAgency: { code: string } }>(REGISTER_AGENCY, { input });
            form.resetFields();
            onDone();
            return t(texts.agencies.agencyRegistered, { code: registerAgency.code });
          })
        }
      >
        <Form.Item
          name="code"
          label={t(texts.agencies.code)}
          extra={t(texts.agencies.codeFormat)}
          rules={[
            { required: true, message: t(texts.common.required) },
            { pattern: AGENCY_CODE, message: t(texts.agencies.codeFormat) },
          ]}
        >
          <Input placeholder="000.00.22.H41" autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t(texts.agencies.name)} rules={[{ required: true, whitespace: true, message: t(texts.common.required) }, { max: 300 }]}>
          <Input placeholder="UBND xã Quế Phong" />
        </Form.Item>
        <Form.Item name="shortName" label={t(texts.agencies.shortName)} rules={[{ max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="englishName" label={t(texts.agencies.englishName)} rules={[{ max: 300 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="parentCode" label={t(texts.agencies.parentCode)} rules={[{ pattern: AGENCY_CODE, message: t(texts.agencies.codeFormat) }]}>
          <Input placeholder="000.00.00.H41" autoComplete="off" />
        </Form.Item>
        <ErrorAlert error={submission.error} />
        {submission.result !== undefined && <Alert type="success" showIcon role="status" title={submission.result} />}
        <Button type="primary" htmlType="submit" loading={submission.busy} style={{ marginTop: 12 }}>
          {t(texts.agencies.registerAgencyButton)}
        </Button>
      </Form>
    </SectionCard>
  );
}

interface SystemForm {
  agencyCode: string;
  slug: string;
  name: string;
  purpose: string;
  contactName: string;
  contactEmail: string;
  contactPhone?: string;
  environments: string[];
  healthUrl?: string;
}

function RegisterSystemForm({ agencies, onDone }: { agencies: RegistryAgency[]; onDone(): void }) {
  const t = useT();
  const [form] = Form.useForm<SystemForm>();
  const submission = useSubmission<string>();
  return (
    <SectionCard title={t(texts.agencies.registerSystem)}>
      <Form
        name="system"
        form={form}
        layout="vertical"
        initialValues={{ environments: ['TEST', 'PRODUCTION'] }}
        onFinish={(values) =>
          submission.run(async () => {
            const healthUrl = optional(values.healthUrl);
            const input = {
              agencyCode: values.agencyCode,
              slug: values.slug.trim(),
              name: values.name.trim(),
              purpose: values.purpose.trim(),
              contacts: [{ name: values.contactName.trim(), email: values.contactEmail.trim(), phone: optional(values.contactPhone), role: 'TECHNICAL' }],
              environments: values.environments,
              healthEndpoints: healthUrl === null ? [] : [{ level: 1, url: healthUrl, intervalSeconds: 60 }],
            };
            const { registerInformationSystem } = await graphql<{ registerInformationSystem: { id: string } }>(REGISTER_SYSTEM, { input });
            form.resetFields();
            onDone();
            return t(texts.agencies.systemRegistered, { id: registerInformationSystem.id });
          })
        }
      >
        <Form.Item name="agencyCode" label={t(texts.agencies.ownerAgency)} rules={[{ required: true, message: t(texts.common.required) }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={agencies.filter((a) => a.status === 'ACTIVE').map((a) => ({ value: a.code, label: `${a.code} — ${a.name}` }))}
          />
        </Form.Item>
        <Form.Item
          name="slug"
          label={t(texts.agencies.slug)}
          rules={[{ required: true, message: t(texts.common.required) }, { pattern: SLUG, message: t(texts.agencies.slugFormat) }, { max: 64 }]}
        >
          <Input placeholder="motcua" autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t(texts.agencies.systemName)}
          rules={[{ required: true, whitespace: true, message: t(texts.common.required) }, { max: 300 }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="purpose"
          label={t(texts.agencies.purpose)}
          rules={[{ required: true, whitespace: true, message: t(texts.common.required) }, { max: 2000 }]}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item
              name="contactName"
              label={t(texts.agencies.contactName)}
              rules={[{ required: true, whitespace: true, message: t(texts.common.required) }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="contactEmail"
              label={t(texts.agencies.contactEmail)}
              rules={[
                { required: true, message: t(texts.common.required) },
                { type: 'email', message: t(texts.agencies.emailFormat) },
              ]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="contactPhone" label={t(texts.agencies.contactPhone)} rules={[{ max: 40 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="environments"
          label={t(texts.agencies.environments)}
          rules={[
            { validator: async (_, v: string[] | undefined) => ((v ?? []).length > 0 ? undefined : Promise.reject(new Error(t(texts.common.required)))) },
          ]}
        >
          <Checkbox.Group
            options={[
              { value: 'TEST', label: t(texts.agencies.test) },
              { value: 'PRODUCTION', label: t(texts.agencies.production) },
            ]}
          />
        </Form.Item>
        <Form.Item name="healthUrl" label={t(texts.agencies.healthUrl)} rules={[{ type: 'url' }]}>
          <Input placeholder="https://motcua.quephong.nghean.gov.vn/health" autoComplete="off" />
        </Form.Item>
        <ErrorAlert error={submission.error} />
        {submission.result !== undefined && <Alert type="success" showIcon role="status" title={submission.result} />}
        <Button type="primary" htmlType="submit" loading={submission.busy} style={{ marginTop: 12 }}>
          {t(texts.agencies.registerSystemButton)}
        </Button>
      </Form>
    </SectionCard>
  );
}

export function Agencies() {
  const t = useT();
  const { lang } = useLang();
  const { data, error, loading, reload } = useQuery<{ registryAgencies: RegistryAgency[] | null; informationSystems: System[] | null }>(AGENCIES_QUERY);
  const agencies = data?.registryAgencies ?? [];
  const systems = data?.informationSystems ?? [];
  const systemsOf = (code: string) => systems.filter((s) => s.agencyCode === code);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.agencies.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.agencies.intro)}</Typography.Paragraph>
      </div>
      <ErrorAlert error={error} />
      <Table<RegistryAgency>
        aria-label={t(texts.agencies.table)}
        rowKey="code"
        loading={loading}
        dataSource={agencies}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        expandable={{
          expandedRowRender: (agency) => {
            const own = systemsOf(agency.code);
            return own.length === 0 ? (
              <Muted>{t(texts.agencies.noSystems)}</Muted>
            ) : (
              <ul style={{ margin: 0 }}>
                {own.map((s) => (
                  <li key={s.id}>
                    <Typography.Text code>{s.id}</Typography.Text> {s.name} — {s.purpose}
                  </li>
                ))}
              </ul>
            );
          },
        }}
        columns={[
          { title: t(texts.agencies.code), dataIndex: 'code', sorter: (a, b) => a.code.localeCompare(b.code), defaultSortOrder: 'ascend' },
          { title: t(texts.agencies.name), dataIndex: 'name' },
          { title: t(texts.agencies.parentCode), dataIndex: 'parentCode', render: (v: string | null) => v ?? '—' },
          {
            title: t(texts.common.status),
            dataIndex: 'status',
            render: (status: string) => <ToneTag tone={status === 'ACTIVE' ? 'green' : 'neutral'}>{status}</ToneTag>,
          },
          { title: t(texts.agencies.systems), key: 'systems', render: (_, agency) => systemsOf(agency.code).length },
          { title: t(texts.agencies.updatedAt), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v, lang) },
        ]}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <RegisterAgencyForm onDone={reload} />
        </Col>
        <Col xs={24} xl={12}>
          <RegisterSystemForm agencies={agencies} onDone={reload} />
        </Col>
      </Row>
    </Space>
  );
}
