/**
 * The agency's systems and their test and production credentials: issue (client-secret-jwt: the secret shown once
 * in a modal; client-jwt: a public key file checked in the browser), rotate, enabled or not. Production only when the
 * registry allows it (a LIVE request), and the page says why not.
 */
import { Alert, Button, Card, Modal, Popconfirm, Radio, Space, Table, Typography } from 'antd';
import { useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { formatDate, stateColor, stateTexts } from './format.ts';
import { checkPublicKeyFile } from './public-key.ts';
import {
  ISSUE_MUTATION,
  REQUESTS_QUERY,
  ROTATE_MUTATION,
  SYSTEMS_QUERY,
  type AccessRequest,
  type Credential,
  type Environment,
  type IssuedCredential,
  type Method,
  type System,
} from './queries.ts';
import { rememberTestSecret } from './test-secret.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { texts } from './texts.ts';
import { Tone } from './Tone.tsx';

const inForce = (state: AccessRequest['state'], environment: Environment) =>
  environment === 'TEST' ? state === 'TESTING' || state === 'INTEGRATION_REPORTED' || state === 'LIVE' : state === 'LIVE';

export function Credentials() {
  const t = useT();
  const session = useSession();
  const agency = session.user.agencyCode ?? null;
  const systems = useQuery<{ informationSystems: System[] | null }>(SYSTEMS_QUERY, { agency });
  const requests = useQuery<{ accessRequests: AccessRequest[] | null }>(REQUESTS_QUERY);
  const [shown, setShown] = useState<IssuedCredential | undefined>();
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(texts.credentials)}
      </Typography.Title>
      <ErrorAlert error={systems.error ?? requests.error} />
      {!systems.loading && (systems.data?.informationSystems ?? []).length === 0 && systems.error === undefined && (
        <Alert type="warning" showIcon title={t(texts.noSystem)} />
      )}
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        {(systems.data?.informationSystems ?? []).map((system) => (
          <SystemCard
            key={system.id}
            system={system}
            requests={(requests.data?.accessRequests ?? []).filter((r) => r.consumerSystem === system.id)}
            onIssued={(issued) => {
              if (issued.secret) {
                if (issued.environment === 'TEST') rememberTestSecret(issued.clientId, issued.secret);
                setShown(issued);
              }
              systems.reload();
            }}
          />
        ))}
      </Space>
      <SecretModal issued={shown} onClose={() => setShown(undefined)} />
    </>
  );
}

function SystemCard({ system, requests, onIssued }: { system: System; requests: AccessRequest[]; onIssued(issued: IssuedCredential): void }) {
  const t = useT();
  const { lang } = useLang();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const credentials = system.credentials ?? [];

  async function rotate(credential: Credential, publicKeyPem?: string) {
    setError(undefined);
    setNotice(undefined);
    try {
      const { rotateCredential } = await graphql<{ rotateCredential: IssuedCredential }>(ROTATE_MUTATION, {
        clientId: credential.clientId,
        publicKeyPem: publicKeyPem ?? null,
      });
      if (rotateCredential.secret === null) setNotice(t(texts.issuedKey, { id: rotateCredential.clientId }));
      onIssued(rotateCredential);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {system.name}
        </Typography.Title>
      }
      extra={<code>{system.id}</code>}
    >
      <Table<Credential>
        size="small"
        rowKey="clientId"
        pagination={false}
        dataSource={credentials}
        caption={<span style={{ position: 'absolute', left: -10000 }}>{t(texts.systemsCaption, { s: system.id })}</span>}
        locale={{ emptyText: <Muted>{t(texts.noCredential)}</Muted> }}
        columns={[
          { title: t(texts.clientId), dataIndex: 'clientId', render: (id: string) => <code>{id}</code> },
          {
            title: t(texts.environment),
            key: 'env',
            render: (_, c) => <Tone tone={c.environment === 'PRODUCTION' ? 'red' : 'cyan'}>{t(texts[`env${c.environment}`])}</Tone>,
          },
          { title: t(texts.methodLabel), key: 'method', render: (_, c) => t(texts[`method${c.method}`]) },
          {
            title: t(texts.enabled),
            key: 'enabled',
            render: (_, c) => <Tone tone={c.enabled ? 'green' : 'grey'}>{t(c.enabled ? texts.enabledYes : texts.enabledNo)}</Tone>,
          },
          { title: t(texts.createdAt), key: 'createdAt', render: (_, c) => formatDate(c.createdAt, lang) },
          {
            title: t(texts.rotate),
            key: 'rotate',
            render: (_, c) =>
              c.method === 'CLIENT_SECRET_JWT' ? (
                <Popconfirm title={t(texts.rotateConfirm, { id: c.clientId })} onConfirm={() => void rotate(c)}>
                  <Button size="small">{t(texts.rotate)}</Button>
                </Popconfirm>
              ) : (
                <KeyUpload label={`${t(texts.rotate)} ${c.clientId}`} buttonText={t(texts.rotate)} onKey={(pem) => void rotate(c, pem)} onRefused={setNotice} />
              ),
          },
        ]}
      />
      {notice !== undefined && <Alert type="info" showIcon title={notice} style={{ marginTop: 12 }} />}
      <ErrorAlert error={error} />
      <Space direction="vertical" style={{ width: '100%', marginTop: 16 }}>
        {(['TEST', 'PRODUCTION'] as const).map((environment) => (
          <IssueForm
            key={environment}
            system={system}
            environment={environment}
            requests={requests}
            existing={credentials.find((c) => c.environment === environment)}
            onIssued={onIssued}
          />
        ))}
        {requests.length > 0 && (
          <div>
            <Typography.Text strong>{t(texts.requestsInForce)}: </Typography.Text>
            {requests.map((r) => (
              <Link key={r.id} to={`/developer/requests/${encodeURIComponent(r.id)}`} style={{ marginRight: 8 }}>
                <Tone tone={stateColor[r.state]}>
                  {r.id}: {t(stateTexts[r.state])}
                </Tone>
              </Link>
            ))}
          </div>
        )}
      </Space>
    </Card>
  );
}

function IssueForm(props: {
  system: System;
  environment: Environment;
  requests: AccessRequest[];
  existing: Credential | undefined;
  onIssued(issued: IssuedCredential): void;
}) {
  const { system, environment, requests, existing, onIssued } = props;
  const t = useT();
  const [method, setMethod] = useState<Method>('CLIENT_SECRET_JWT');
  const [error, setError] = useState<unknown>();
  const [refusal, setRefusal] = useState<string | undefined>();
  const [sending, setSending] = useState(false);
  const env = t(texts[`env${environment}`]);
  const why = !system.environments.includes(environment)
    ? t(texts.notRegisteredEnv, { env })
    : existing !== undefined
      ? t(texts.alreadyIssued, { env })
      : requests.some((r) => inForce(r.state, environment))
        ? undefined
        : t(environment === 'TEST' ? texts.cannotIssueTest : texts.cannotIssueProduction);

  async function issue(publicKeyPem?: string) {
    setError(undefined);
    setRefusal(undefined);
    setSending(true);
    try {
      const { issueCredential } = await graphql<{ issueCredential: IssuedCredential }>(ISSUE_MUTATION, {
        systemId: system.id,
        input: { environment, method, ...(publicKeyPem !== undefined ? { publicKeyPem } : {}) },
      });
      onIssued(issueCredential);
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  }

  const groupLabel = t(texts.issue, { env });
  return (
    <div role="group" aria-label={groupLabel} style={{ borderTop: '1px solid #f0f0f0', paddingTop: 12 }}>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {groupLabel}
      </Typography.Title>
      {why !== undefined ? (
        <Alert type="info" showIcon title={why} />
      ) : (
        <Space direction="vertical">
          <Radio.Group
            aria-label={t(texts.methodLabel)}
            value={method}
            onChange={(e) => setMethod(e.target.value as Method)}
            options={[
              { value: 'CLIENT_SECRET_JWT', label: t(texts.methodCLIENT_SECRET_JWT) },
              { value: 'CLIENT_JWT', label: t(texts.methodCLIENT_JWT) },
            ]}
          />
          {method === 'CLIENT_SECRET_JWT' ? (
            <Button type="primary" loading={sending} onClick={() => void issue()}>
              {groupLabel}
            </Button>
          ) : (
            <KeyUpload label={`${t(texts.publicKeyFile)} (${env})`} buttonText={groupLabel} onKey={(pem) => void issue(pem)} onRefused={setRefusal} />
          )}
        </Space>
      )}
      {refusal !== undefined && <Alert type="error" showIcon role="alert" title={refusal} style={{ marginTop: 8 }} />}
      <ErrorAlert error={error} />
    </div>
  );
}

/** A public key file input: checked in the browser; a file that is not one is refused here and nothing is sent. */
function KeyUpload({
  label,
  buttonText,
  onKey,
  onRefused,
}: {
  label: string;
  buttonText: string;
  onKey(pem: string): void;
  onRefused(message: string | undefined): void;
}) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | undefined>();
  const [ok, setOk] = useState<string | undefined>();
  const id = `key-${label.replace(/[^A-Za-z0-9]+/g, '-')}`;
  async function pick(picked: File | undefined) {
    setFile(picked);
    setOk(undefined);
    onRefused(undefined);
    if (picked === undefined) return;
    const check = await checkPublicKeyFile(picked);
    if (!check.ok) {
      onRefused(t(check.reason === 'PRIVATE_KEY' ? texts.privateKeyRefused : texts.notAPublicKey, { f: picked.name }));
      setFile(undefined);
      if (input.current) input.current.value = '';
      return;
    }
    setOk(t(texts.keyOk, { alg: check.algorithm }));
  }
  async function send() {
    if (file === undefined) return;
    // Checked again at the moment of sending: the page holds what it sends.
    const check = await checkPublicKeyFile(file);
    if (!check.ok) {
      onRefused(t(check.reason === 'PRIVATE_KEY' ? texts.privateKeyRefused : texts.notAPublicKey, { f: file.name }));
      return;
    }
    onKey(check.pem);
  }
  return (
    <Space direction="vertical">
      <label htmlFor={id}>{label}</label>
      <input id={id} ref={input} type="file" accept=".pem,.pub,.key,application/x-pem-file,text/plain" onChange={(e) => void pick(e.target.files?.[0])} />
      <Muted>{t(texts.publicKeyHelp)}</Muted>
      {ok !== undefined && <Typography.Text type="success">{ok}</Typography.Text>}
      <Button type="primary" disabled={file === undefined} onClick={() => void send()}>
        {buttonText}
      </Button>
    </Space>
  );
}

/** The secret, this once: a warning, a copy button, nothing kept but a test secret in this tab for the try-out. */
function SecretModal({ issued, onClose }: { issued: IssuedCredential | undefined; onClose(): void }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <Modal
      open={issued !== undefined}
      title={t(texts.secretTitle, { id: issued?.clientId ?? '' })}
      onCancel={() => {
        setCopied(false);
        onClose();
      }}
      maskClosable={false}
      destroyOnHidden
      footer={[
        <Button
          key="ok"
          type="primary"
          onClick={() => {
            setCopied(false);
            onClose();
          }}
        >
          {t(texts.secretSaved)}
        </Button>,
      ]}
    >
      <Alert type="warning" showIcon title={t(texts.secretWarning)} style={{ marginBottom: 12 }} />
      <Typography.Paragraph>
        <code data-testid="issued-secret" style={{ wordBreak: 'break-all', fontSize: 15 }}>
          {issued?.secret}
        </code>
      </Typography.Paragraph>
      <Space>
        <Button
          onClick={() => {
            void navigator.clipboard?.writeText(issued?.secret ?? '').then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? t(texts.copied) : t(texts.copy)}
        </Button>
        {issued?.environment === 'TEST' && <Link to="/developer/try-out">{t(texts.tryOut)}</Link>}
      </Space>
    </Modal>
  );
}
