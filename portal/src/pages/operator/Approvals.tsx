/**
 * The operator's approvals queue: access requests (overdue first, then by their working-day deadline) to approve,
 * reject or send back for changes as the operator (actOnAccessRequest with `as: OPERATOR`), live ones to suspend or
 * resume; and providers' service registrations to approve (actOnServiceRegistration).
 */
import { Alert, Button, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { daysUntil, formatDateTime } from '../../shell/ui/format.ts';
import { ReasonModal, type ReasonRequest } from './ReasonModal.tsx';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { ToneTag } from '../../shell/ui/ToneTag.tsx';

const APPROVALS_QUERY = /* GraphQL */ `
  query OperatorApprovals {
    accessRequests {
      id
      consumerAgency
      consumerSystem
      serviceCode
      serviceVersion
      providerAgency
      fieldSets
      purposes
      legalBasis
      state
      providerApproved
      operatorApproved
      receivedAt
      dueAt
      overdue
    }
    serviceRegistrations {
      id
      providerAgency
      serviceCode
      serviceName
      fieldSets {
        name
      }
      state
      dueAt
      overdue
    }
  }
`;

const ACT_ON_REQUEST = /* GraphQL */ `
  mutation OperatorActOnAccessRequest($id: ID!, $action: AccessAction!, $reason: String) {
    actOnAccessRequest(id: $id, action: $action, reason: $reason, as: OPERATOR) {
      id
      state
    }
  }
`;

const ACT_ON_REGISTRATION = /* GraphQL */ `
  mutation OperatorActOnRegistration($id: ID!, $action: RegistrationAction!, $reason: String) {
    actOnServiceRegistration(id: $id, action: $action, reason: $reason) {
      id
      state
    }
  }
`;

interface AccessRequestRow {
  id: string;
  consumerAgency: string;
  consumerSystem: string;
  serviceCode: string;
  serviceVersion: number;
  providerAgency: string;
  fieldSets: string[];
  purposes: string[];
  legalBasis: string;
  state: string;
  providerApproved: boolean;
  operatorApproved: boolean;
  receivedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
}
interface RegistrationRow {
  id: string;
  providerAgency: string;
  serviceCode: string;
  serviceName: string;
  fieldSets: Array<{ name: string }>;
  state: string;
  dueAt: string | null;
  overdue: boolean;
}

/** Requests waiting for the operator's decision. */
const operatorDecides = (r: AccessRequestRow) => (r.state === 'PENDING_APPROVAL' && !r.operatorApproved) || r.state === 'PROVIDER_APPROVED';
const OPEN_REQUEST_STATES = new Set(['PENDING_APPROVAL', 'PROVIDER_APPROVED', 'OPERATOR_APPROVED', 'INTEGRATION_REPORTED', 'SUSPENDED']);
const OPEN_REGISTRATION_STATES = new Set(['PENDING_APPROVAL', 'UPDATE_PENDING']);

/** Overdue first, then the nearest deadline, then those without one. */
export function byUrgency<T extends { overdue: boolean; dueAt: string | null }>(a: T, b: T): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.dueAt === null ? Number.POSITIVE_INFINITY : new Date(a.dueAt).getTime();
  const db = b.dueAt === null ? Number.POSITIVE_INFINITY : new Date(b.dueAt).getTime();
  return da - db;
}

function Deadline({ dueAt, overdue }: { dueAt: string | null; overdue: boolean }) {
  const t = useT();
  const { lang } = useLang();
  if (dueAt === null) return <>—</>;
  return (
    <Space orientation="vertical" size={0}>
      <span>{formatDateTime(dueAt, lang)}</span>
      {overdue ? <ToneTag tone="red">{t(texts.approvals.overdue)}</ToneTag> : <Muted>{t(texts.approvals.daysLeft, { n: daysUntil(dueAt) })}</Muted>}
    </Space>
  );
}

export function Approvals() {
  const t = useT();
  const { data, error, loading, reload } = useQuery<{ accessRequests: AccessRequestRow[] | null; serviceRegistrations: RegistrationRow[] | null }>(
    APPROVALS_QUERY,
  );
  const [onlyOpen, setOnlyOpen] = useState(true);
  const [asking, setAsking] = useState<ReasonRequest>();
  const [actionError, setActionError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState<string>();

  const requests = (data?.accessRequests ?? []).filter((r) => !onlyOpen || OPEN_REQUEST_STATES.has(r.state)).sort(byUrgency);
  const registrations = (data?.serviceRegistrations ?? []).filter((r) => !onlyOpen || OPEN_REGISTRATION_STATES.has(r.state)).sort(byUrgency);

  const actionLabel: Record<string, string> = {
    APPROVE: t(texts.approvals.approve),
    REJECT: t(texts.approvals.reject),
    REQUEST_CHANGES: t(texts.approvals.requestChanges),
    SUSPEND: t(texts.approvals.suspend),
    RESUME: t(texts.approvals.resume),
  };

  const run = async (mutation: string, id: string, action: string, reason?: string) => {
    setBusy(`${id}:${action}`);
    setActionError(undefined);
    setDone(undefined);
    try {
      await graphql(mutation, { id, action, reason: reason ?? null });
      setDone(t(texts.approvals.actionDone, { action: actionLabel[action] ?? action, id }));
      reload();
    } catch (e) {
      setActionError(e);
      throw e;
    } finally {
      setBusy(undefined);
    }
  };
  const act = (mutation: string, id: string, action: string) => {
    if (action === 'APPROVE' || action === 'RESUME') void run(mutation, id, action).catch(() => undefined);
    else setAsking({ title: t(texts.approvals.reasonFor, { action: actionLabel[action] ?? action, id }), run: (reason) => run(mutation, id, action, reason) });
  };
  const button = (mutation: string, id: string, action: string, danger = false) => (
    <Button
      key={action}
      size="small"
      type={action === 'APPROVE' ? 'primary' : 'default'}
      danger={danger}
      loading={busy === `${id}:${action}`}
      onClick={() => act(mutation, id, action)}
    >
      {actionLabel[action]}
    </Button>
  );

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.approvals.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.approvals.intro)}</Typography.Paragraph>
        <Space>
          <Switch checked={onlyOpen} onChange={setOnlyOpen} aria-label={t(texts.approvals.onlyOpen)} />
          <span>{t(texts.approvals.onlyOpen)}</span>
          <Button onClick={reload}>{t(texts.common.reload)}</Button>
        </Space>
      </div>
      <ErrorAlert error={error} />
      <ErrorAlert error={actionError} />
      {done !== undefined && <Alert type="success" showIcon role="status" title={done} />}
      <Typography.Title level={2} style={{ fontSize: 20 }}>
        {t(texts.approvals.requests)}
      </Typography.Title>
      <Table<AccessRequestRow>
        aria-label={t(texts.approvals.requests)}
        rowKey="id"
        loading={loading}
        dataSource={requests}
        locale={{ emptyText: <Muted>{t(texts.approvals.emptyRequests)}</Muted> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        rowClassName={(r) => (r.overdue ? 'lgsp-overdue' : '')}
        columns={[
          { title: 'ID', dataIndex: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
          {
            title: t(texts.approvals.consumer),
            key: 'consumer',
            render: (_, r) => (
              <>
                {r.consumerAgency}
                <br />
                <Muted>{r.consumerSystem}</Muted>
              </>
            ),
          },
          {
            title: t(texts.approvals.service),
            key: 'service',
            render: (_, r) => (
              <>
                {r.serviceCode} v{r.serviceVersion}
                <br />
                <Muted>
                  {t(texts.approvals.provider)}: {r.providerAgency}
                </Muted>
              </>
            ),
          },
          {
            title: t(texts.approvals.fieldSets),
            key: 'fields',
            render: (_, r) => (
              <Tooltip title={`${t(texts.approvals.legalBasis)}: ${r.legalBasis}`}>
                <span>{r.fieldSets.join(', ')}</span>
                <br />
                <Muted>
                  {t(texts.approvals.purposes)}: {r.purposes.join(', ')}
                </Muted>
              </Tooltip>
            ),
          },
          {
            title: t(texts.common.status),
            key: 'state',
            render: (_, r) => (
              <Space orientation="vertical" size={2}>
                <ToneTag tone={r.state === 'LIVE' ? 'green' : r.state === 'REJECTED' || r.state === 'CANCELLED' ? 'neutral' : 'blue'}>
                  {texts.states[r.state] !== undefined ? t(texts.states[r.state]!) : r.state}
                </ToneTag>
                {r.providerApproved && r.state === 'PENDING_APPROVAL' && <Muted>{t(texts.approvals.providerApproved)}</Muted>}
              </Space>
            ),
          },
          { title: t(texts.approvals.due), key: 'due', render: (_, r) => <Deadline dueAt={r.dueAt} overdue={r.overdue} /> },
          {
            title: t(texts.common.actions),
            key: 'actions',
            render: (_, r) => {
              if (operatorDecides(r))
                return (
                  <Space wrap>
                    {button(ACT_ON_REQUEST, r.id, 'APPROVE')}
                    {button(ACT_ON_REQUEST, r.id, 'REQUEST_CHANGES')}
                    {button(ACT_ON_REQUEST, r.id, 'REJECT', true)}
                  </Space>
                );
              if (r.state === 'LIVE') return button(ACT_ON_REQUEST, r.id, 'SUSPEND', true);
              if (r.state === 'SUSPENDED') return button(ACT_ON_REQUEST, r.id, 'RESUME');
              if (r.state === 'INTEGRATION_REPORTED')
                return (
                  <Tooltip title={t(texts.approvals.noConfirm)}>
                    <Muted>{t(texts.approvals.awaitingProvider)}</Muted>
                  </Tooltip>
                );
              return null;
            },
          },
        ]}
      />
      <Typography.Title level={2} style={{ fontSize: 20 }}>
        {t(texts.approvals.registrations)}
      </Typography.Title>
      <Table<RegistrationRow>
        aria-label={t(texts.approvals.registrations)}
        rowKey="id"
        loading={loading}
        dataSource={registrations}
        locale={{ emptyText: <Muted>{t(texts.approvals.emptyRegistrations)}</Muted> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: 'ID', dataIndex: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
          { title: t(texts.approvals.provider), dataIndex: 'providerAgency' },
          { title: t(texts.approvals.service), key: 'service', render: (_, r) => `${r.serviceName} (${r.serviceCode})` },
          { title: t(texts.approvals.fieldSets), key: 'fields', render: (_, r) => r.fieldSets.map((f) => f.name).join(', ') },
          { title: t(texts.common.status), dataIndex: 'state', render: (s: string) => <Tag>{texts.states[s] !== undefined ? t(texts.states[s]!) : s}</Tag> },
          { title: t(texts.approvals.due), key: 'due', render: (_, r) => <Deadline dueAt={r.dueAt} overdue={r.overdue} /> },
          {
            title: t(texts.common.actions),
            key: 'actions',
            render: (_, r) =>
              OPEN_REGISTRATION_STATES.has(r.state) ? (
                <Space wrap>
                  {button(ACT_ON_REGISTRATION, r.id, 'APPROVE')}
                  {button(ACT_ON_REGISTRATION, r.id, 'REQUEST_CHANGES')}
                  {button(ACT_ON_REGISTRATION, r.id, 'REJECT', true)}
                </Space>
              ) : null,
          },
        ]}
      />
      <ReasonModal request={asking} onClose={() => setAsking(undefined)} />
    </Space>
  );
}
