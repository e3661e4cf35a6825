/**
 * The agency administrator's (or the operator's) single sign-on applications: registerAgencyApplication (a Keycloak
 * client each; its secret shown once), agencyApplications, removeAgencyApplication with a reason.
 */
import { Alert, Button, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { Roles, useSession } from '../../shell/session.tsx';
import { formatDate, splitList } from '../../shell/ui/format.ts';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { FormModal, SectionCard, useSubmission } from '../../shell/ui/form.tsx';

export const AGENCY_APPLICATIONS = /* GraphQL */ `
  query AgencyApplications($agencyCode: ID) {
    agencyApplications(agencyCode: $agencyCode) {
      id
      agencyCode
      name
      description
      loginUrl
      logoutUrl
      redirectUris
      clientId
      enabled
      createdAt
    }
  }
`;

const AGENCIES = /* GraphQL */ `
  query ApplicationAgencies {
    registryAgencies(status: ACTIVE) {
      code
      name
    }
  }
`;

const REGISTER = /* GraphQL */ `
  mutation RegisterAgencyApplication($input: AgencyApplicationInput!) {
    registerAgencyApplication(input: $input) {
      application {
        id
        name
        clientId
      }
      clientSecret
    }
  }
`;

const REMOVE = /* GraphQL */ `
  mutation RemoveAgencyApplication($id: ID!, $reason: String!) {
    removeAgencyApplication(id: $id, reason: $reason) {
      id
      enabled
    }
  }
`;

interface Application {
  id: string;
  agencyCode: string;
  name: string;
  description: string | null;
  loginUrl: string;
  logoutUrl: string;
  redirectUris: string[];
  clientId: string;
  enabled: boolean;
  createdAt: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The API's URL rules, checked before sending (the API's INVALID_APPLICATION_URL is still shown). */
export function urlProblem(value: string): boolean {
  if (value.includes('#') || value.includes('*') || /\s/.test(value) || !URL.canParse(value)) return true;
  const url = new URL(value);
  if (url.username !== '' || url.password !== '') return true;
  return !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)));
}

interface Registered {
  name: string;
  clientId: string;
  clientSecret: string | null;
}

const FIELDS = ['name', 'description', 'loginUrl', 'logoutUrl', 'redirectUris'] as const;

function RegisterForm({ agencyCode, onDone }: { agencyCode: string | undefined; onDone(): void }) {
  const t = useT();
  const [form] = Form.useForm<{ name: string; description?: string; loginUrl: string; logoutUrl: string; redirectUris: string }>();
  const submission = useSubmission();
  const [registered, setRegistered] = useState<Registered>();
  const urlRule = {
    validator: async (_: unknown, v: string | undefined) =>
      v === undefined || v === '' || !urlProblem(v.trim()) ? undefined : Promise.reject(new Error(t(texts.manage.urlRule))),
  };
  return (
    <SectionCard title={t(texts.manage.register)}>
      <Form
        name="application"
        form={form}
        layout="vertical"
        style={{ maxWidth: 720 }}
        onFinish={async (v) => {
          if (agencyCode === undefined) return;
          setRegistered(undefined);
          await submission.run(async () => {
            const { registerAgencyApplication } = await graphql<{
              registerAgencyApplication: { application: { name: string; clientId: string }; clientSecret: string | null } | null;
            }>(REGISTER, {
              input: {
                agencyCode,
                name: v.name.trim(),
                description: v.description?.trim() || null,
                loginUrl: v.loginUrl.trim(),
                logoutUrl: v.logoutUrl.trim(),
                redirectUris: splitList(v.redirectUris),
              },
            });
            if (registerAgencyApplication !== null)
              setRegistered({ ...registerAgencyApplication.application, clientSecret: registerAgencyApplication.clientSecret });
            // Empty the form and forget its validation: an emptied required field is not an error until touched again.
            form.resetFields();
            form.setFields(FIELDS.map((name) => ({ name, value: undefined, errors: [], warnings: [], touched: false, validating: false })));
            onDone();
          });
        }}
      >
        <Form.Item name="name" label={t(texts.manage.name)} rules={[{ required: true, whitespace: true, message: t(texts.manage.required) }, { max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t(texts.manage.description)} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item
          name="loginUrl"
          label={t(texts.manage.loginUrl)}
          extra={t(texts.manage.urlRule)}
          rules={[{ required: true, message: t(texts.manage.required) }, urlRule]}
        >
          <Input placeholder="https://motcua.nghean.gov.vn/login" autoComplete="off" />
        </Form.Item>
        <Form.Item name="logoutUrl" label={t(texts.manage.logoutUrl)} rules={[{ required: true, message: t(texts.manage.required) }, urlRule]}>
          <Input placeholder="https://motcua.nghean.gov.vn/logout" autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="redirectUris"
          label={t(texts.manage.redirectUris)}
          rules={[
            { required: true, whitespace: true, message: t(texts.manage.required) },
            {
              validator: async (_: unknown, v: string | undefined) =>
                splitList(v).some(urlProblem) ? Promise.reject(new Error(t(texts.manage.urlRule))) : undefined,
            },
          ]}
        >
          <Input.TextArea rows={2} placeholder="https://motcua.nghean.gov.vn/oidc/callback" />
        </Form.Item>
        <ErrorAlert error={submission.error} />
        <Button type="primary" htmlType="submit" loading={submission.busy} disabled={agencyCode === undefined} style={{ marginTop: 8 }}>
          {t(texts.manage.registerButton)}
        </Button>
      </Form>
      {registered !== undefined && (
        <Alert
          style={{ marginTop: 16 }}
          type="success"
          showIcon
          role="status"
          title={t(texts.manage.registered, { name: registered.name })}
          description={
            <Space orientation="vertical">
              <span>
                {t(texts.manage.clientId)}:{' '}
                <Typography.Text code copyable>
                  {registered.clientId}
                </Typography.Text>
              </span>
              {registered.clientSecret !== null && (
                <>
                  <Typography.Text strong>{t(texts.manage.secret)}</Typography.Text>
                  <span>
                    {t(texts.manage.secretLabel)}:{' '}
                    <Typography.Text code copyable data-testid="client-secret">
                      {registered.clientSecret}
                    </Typography.Text>
                  </span>
                </>
              )}
            </Space>
          }
        />
      )}
    </SectionCard>
  );
}

function RemoveModal({ app, onClose, onDone }: { app: Application | undefined; onClose(): void; onDone(name: string): void }) {
  const t = useT();
  const [form] = Form.useForm<{ reason: string }>();
  const submission = useSubmission();
  return (
    <FormModal
      open={app !== undefined}
      title={app !== undefined ? t(texts.manage.removeTitle, { name: app.name }) : ''}
      okText={t(texts.manage.save)}
      danger
      cancelText={t(texts.manage.cancel)}
      submission={submission}
      onSubmit={() => form.submit()}
      onClose={onClose}
    >
      <Form
        name="remove-application"
        form={form}
        layout="vertical"
        onFinish={async ({ reason }) => {
          if (app === undefined) return;
          const removed = await submission.run(async () => {
            await graphql(REMOVE, { id: app.id, reason: reason.trim() });
            onDone(app.name);
          });
          if (removed) {
            submission.clear();
            onClose();
          }
        }}
      >
        <Form.Item name="reason" label={t(texts.manage.reason)} rules={[{ required: true, whitespace: true, message: t(texts.manage.required) }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

export function Manage() {
  const t = useT();
  const { lang } = useLang();
  const session = useSession();
  const operator = session.hasRole(Roles.operator);
  const [chosen, setChosen] = useState<string | undefined>(session.user.agencyCode);
  const agencyCode = chosen;
  const agencies = useQuery<{ registryAgencies: Array<{ code: string; name: string }> | null }>(AGENCIES, {}, { skip: !operator });
  const { data, error, loading, reload } = useQuery<{ agencyApplications: Application[] | null }>(
    AGENCY_APPLICATIONS,
    { agencyCode: agencyCode ?? null },
    { skip: agencyCode === undefined },
  );
  const [removing, setRemoving] = useState<Application>();
  const [removed, setRemoved] = useState<string>();
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.manage.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.manage.intro)}</Typography.Paragraph>
      </div>
      {operator && (
        <Form layout="vertical" style={{ maxWidth: 480 }}>
          <Form.Item label={t(texts.manage.agency)} htmlFor="application-agency">
            <Select
              id="application-agency"
              value={chosen}
              onChange={setChosen}
              showSearch={{ optionFilterProp: 'label' }}
              options={(agencies.data?.registryAgencies ?? []).map((a) => ({ value: a.code, label: `${a.code} — ${a.name}` }))}
            />
          </Form.Item>
        </Form>
      )}
      <ErrorAlert error={error ?? agencies.error} />
      {removed !== undefined && <Alert type="success" showIcon role="status" title={t(texts.manage.removed, { name: removed })} />}
      <Table<Application>
        aria-label={t(texts.manage.table)}
        rowKey="id"
        loading={loading}
        dataSource={data?.agencyApplications ?? []}
        locale={{ emptyText: <Muted>{t(texts.manage.empty)}</Muted> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          {
            title: t(texts.manage.name),
            key: 'name',
            render: (_, a) => (
              <>
                <Typography.Text strong>{a.name}</Typography.Text>
                {a.description !== null && (
                  <>
                    <br />
                    <Muted>{a.description}</Muted>
                  </>
                )}
              </>
            ),
          },
          { title: t(texts.manage.clientId), dataIndex: 'clientId', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          {
            title: `${t(texts.manage.loginUrl)} / ${t(texts.manage.logoutUrl)}`,
            key: 'urls',
            render: (_, a) => (
              <>
                {a.loginUrl}
                <br />
                <Muted>{a.logoutUrl}</Muted>
              </>
            ),
          },
          { title: t(texts.manage.createdAt), dataIndex: 'createdAt', render: (v: string) => formatDate(v, lang) },
          {
            title: t(texts.manage.actions),
            key: 'actions',
            render: (_, a) => (
              <Button size="small" danger onClick={() => setRemoving(a)} aria-label={`${t(texts.manage.remove)}: ${a.name}`}>
                {t(texts.manage.remove)}
              </Button>
            ),
          },
        ]}
      />
      <RegisterForm
        agencyCode={agencyCode}
        onDone={() => {
          setRemoved(undefined);
          reload();
        }}
      />
      <RemoveModal
        app={removing}
        onClose={() => setRemoving(undefined)}
        onDone={(name) => {
          setRemoved(name);
          reload();
        }}
      />
    </Space>
  );
}
