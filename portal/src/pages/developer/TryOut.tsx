/**
 * Try-out: the gateway's own GraphiQL (GET /graphql on this origin) opened with a TEST credential's access token and
 * the purpose header filled in. The portal gets the token at the realm's token endpoint (client-token.ts) and hands
 * GraphiQL its Headers tab and first query through this tab's sessionStorage (`lgsp-graphiql:handoff`, copied into
 * the tab window.open creates; gateway/src/landing/graphiql-client.js reads it once and deletes it).
 */
import { Alert, Button, Form, Input, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { portalConfig } from '../../shell/config.ts';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useT } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { systemToken } from './client-token.ts';
import { CATALOGUE_QUERY, REQUESTS_QUERY, SERVICE_QUERY, SYSTEMS_QUERY, type AccessRequest, type Service, type System } from './queries.ts';
import { forgetTestSecret, testSecret } from './test-secret.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { texts } from './texts.ts';
import { PURPOSE_HEADER } from './validation.ts';

/** The key graphiql-client.js reads (keep in step with it). */
export const GRAPHIQL_HANDOFF_KEY = 'lgsp-graphiql:handoff';

interface TryOutValues {
  clientId?: string;
  secret?: string;
  purpose?: string;
  query?: string;
}

export function TryOut() {
  const t = useT();
  const session = useSession();
  const agency = session.user.agencyCode ?? null;
  const systems = useQuery<{ informationSystems: System[] | null }>(SYSTEMS_QUERY, { agency });
  const requests = useQuery<{ accessRequests: AccessRequest[] | null }>(REQUESTS_QUERY);
  const catalogue = useQuery<{ registryServices: Service[] | null }>(CATALOGUE_QUERY);
  const [form] = Form.useForm<TryOutValues>();
  const [result, setResult] = useState<{ type: 'success' | 'error'; text: string } | undefined>();
  const [blocked, setBlocked] = useState(false);
  const [busy, setBusy] = useState(false);

  const credentials = useMemo(
    () =>
      (systems.data?.informationSystems ?? []).flatMap((s) =>
        (s.credentials ?? [])
          .filter((c) => c.environment === 'TEST' && c.method === 'CLIENT_SECRET_JWT' && c.enabled)
          .map((c) => ({ system: s, credential: c })),
      ),
    [systems.data],
  );
  const clientId = Form.useWatch('clientId', form);
  const systemId = credentials.find((c) => c.credential.clientId === clientId)?.system.id;

  useEffect(() => {
    if (clientId === undefined && credentials[0] !== undefined) form.setFieldsValue({ clientId: credentials[0].credential.clientId });
  }, [credentials, clientId, form]);
  useEffect(() => {
    if (clientId === undefined) return;
    form.setFieldsValue({ secret: testSecret(clientId) ?? '' });
    // The first query: the provider's sample of a service the system may read in test.
    const request = (requests.data?.accessRequests ?? []).find(
      (r) => r.consumerSystem === systemId && (r.state === 'TESTING' || r.state === 'INTEGRATION_REPORTED' || r.state === 'LIVE'),
    );
    const service = (catalogue.data?.registryServices ?? []).find((s) => s.code === request?.serviceCode);
    if (request !== undefined && !form.getFieldValue('purpose'))
      form.setFieldsValue({ purpose: `${request.purposes.find((p) => p !== '*') ?? 'test'}:THU-NGHIEM-001` });
    if (service !== undefined && !form.getFieldValue('query')) {
      void (async () => {
        const data = await graphql<{ registryService: Service | null }>(SERVICE_QUERY, { code: service.code }).catch(() => undefined);
        const sample = data?.registryService?.versions.find((v) => v.version === request?.serviceVersion)?.description?.requestSample;
        if (sample !== undefined && !form.getFieldValue('query')) form.setFieldsValue({ query: sample });
      })();
    }
  }, [clientId, systemId, requests.data, catalogue.data, form]);

  async function open(values: TryOutValues) {
    setResult(undefined);
    setBlocked(false);
    setBusy(true);
    try {
      const token = await systemToken(values.clientId ?? '', (values.secret ?? '').trim());
      if (!token.ok) {
        setResult({ type: 'error', text: t(token.kind === 'REFUSED' ? texts.tokenRefused : texts.tokenUnreachable, { e: token.detail }) });
        return;
      }
      const headers = JSON.stringify({ Authorization: `Bearer ${token.accessToken}`, 'X-LGSP-Purpose': values.purpose ?? '' }, null, 2);
      sessionStorage.setItem(GRAPHIQL_HANDOFF_KEY, JSON.stringify({ headers, query: values.query ?? '' }));
      const { graphqlPath } = await portalConfig();
      const tab = window.open(graphqlPath, '_blank');
      if (tab === null) setBlocked(true);
      setResult({ type: 'success', text: t(texts.tokenOk, { s: token.expiresIn }) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(texts.tryOut)}
      </Typography.Title>
      <Typography.Paragraph style={{ maxWidth: 860 }}>{t(texts.tryOutIntro)}</Typography.Paragraph>
      <ErrorAlert error={systems.error ?? requests.error} />
      {!systems.loading && credentials.length === 0 && (
        <Alert
          type="info"
          showIcon
          title={t(texts.noTestCredential)}
          action={<Link to="/developer/credentials">{t(texts.credentials)}</Link>}
          style={{ marginBottom: 16 }}
        />
      )}
      {credentials.length > 0 && (
        <Form<TryOutValues> form={form} layout="vertical" onFinish={(v) => void open(v)} style={{ maxWidth: 860 }} aria-label={t(texts.tryOut)}>
          <Form.Item name="clientId" label={t(texts.testCredential)} rules={[{ required: true, message: t(texts.vRequired) }]}>
            <Select options={credentials.map((c) => ({ value: c.credential.clientId, label: `${c.credential.clientId} — ${c.system.name}` }))} />
          </Form.Item>
          <Form.Item
            name="secret"
            label={t(texts.secretField)}
            extra={clientId !== undefined && testSecret(clientId) !== undefined ? <Muted>{t(texts.secretInMemory)}</Muted> : undefined}
            rules={[{ required: true, whitespace: true, message: t(texts.vRequired) }]}
          >
            <Input.Password autoComplete="off" aria-required visibilityToggle={false} />
          </Form.Item>
          <Form.Item
            name="purpose"
            label={t(texts.purposeHeader)}
            extra={<Muted>{t(texts.purposeHeaderHelp)}</Muted>}
            rules={[{ required: true, pattern: PURPOSE_HEADER, message: t(texts.vPurposeHeader) }]}
          >
            <Input aria-required />
          </Form.Item>
          <Form.Item name="query" label={t(texts.queryField)}>
            <Input.TextArea rows={5} style={{ fontFamily: 'monospace' }} />
          </Form.Item>
          <Space wrap>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t(texts.openGraphiql)}
            </Button>
            {clientId !== undefined && (
              <Button
                onClick={() => {
                  forgetTestSecret(clientId);
                  form.setFieldsValue({ secret: '' });
                }}
              >
                {t(texts.forgetSecret)}
              </Button>
            )}
          </Space>
        </Form>
      )}
      {result !== undefined && (
        <Alert type={result.type} showIcon role={result.type === 'error' ? 'alert' : 'status'} title={result.text} style={{ marginTop: 16 }} />
      )}
      {blocked && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 8 }}
          title={
            <>
              {t(texts.popupBlocked)}
              <a href="/graphql" target="_blank" rel="opener">
                {t(texts.openHere)}
              </a>
            </>
          }
        />
      )}
    </>
  );
}
