/** The agency's access requests (as consumer): state, who acts next, the working-day deadline; and one request's detail. */
import { Alert, Button, Descriptions, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { formatDate, nextParties, stateColor, stateTexts } from './format.ts';
import { ACT_MUTATION, REQUEST_QUERY, REQUESTS_QUERY, type AccessRequest } from './queries.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { texts } from './texts.ts';
import { Tone } from './Tone.tsx';

/** An agency as people read it: its name, with the code after it (the code alone when unregistered). */
const agencyLabel = (code: string, name: string | null) => (name === null ? code : `${name} (${code})`);

function Deadline({ request }: { request: AccessRequest }) {
  const t = useT();
  const { lang } = useLang();
  if (request.dueAt === null) return <>—</>;
  return (
    <Space size={4} wrap>
      <span>{formatDate(request.dueAt, lang)}</span>
      {request.overdue ? <Tone tone="red">{t(texts.overdue)}</Tone> : <Tone tone="green">{t(texts.onTime)}</Tone>}
      {request.workingDaysLeft !== null && (
        <span>
          {request.workingDaysLeft < 0
            ? t(texts.daysOverdue, { n: -request.workingDaysLeft })
            : request.workingDaysLeft === 0
              ? t(texts.dueToday)
              : t(texts.daysLeft, { n: request.workingDaysLeft })}
        </span>
      )}
    </Space>
  );
}

const PARTIES = ['CONSUMER', 'PROVIDER', 'OPERATOR', 'SYSTEM'] as const;
function partyText(party: string, t: ReturnType<typeof useT>): string {
  const known = PARTIES.find((p) => p === party);
  return known === undefined ? party : t(texts[`party${known}`]);
}

function NextActor({ request }: { request: AccessRequest }) {
  const t = useT();
  const parties = nextParties(request);
  if (parties.length === 0) return <>{t(texts.nobody)}</>;
  return <>{parties.map((p) => t(texts[`party${p}`])).join(', ')}</>;
}

export function MyRequests() {
  const t = useT();
  const { lang } = useLang();
  const session = useSession();
  const { data, error, loading } = useQuery<{ accessRequests: AccessRequest[] | null }>(REQUESTS_QUERY);
  const mine = (data?.accessRequests ?? [])
    .filter((r) => r.consumerAgency === session.user.agencyCode)
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || (b.receivedAt ?? '').localeCompare(a.receivedAt ?? ''));
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(texts.myRequests)}
      </Typography.Title>
      <ErrorAlert error={error} />
      <Space style={{ marginBottom: 16 }}>
        <Link to="/developer/requests/new">
          <Button type="primary">{t(texts.newRequest)}</Button>
        </Link>
      </Space>
      <Table<AccessRequest>
        rowKey="id"
        loading={loading}
        dataSource={mine}
        pagination={false}
        caption={<span style={{ position: 'absolute', left: -10000 }}>{t(texts.requestsCaption)}</span>}
        locale={{ emptyText: <Muted>{t(texts.noRequests)}</Muted> }}
        rowClassName={(r) => (r.overdue ? 'lgsp-overdue' : '')}
        columns={[
          { title: t(texts.id), key: 'id', render: (_, r) => <Link to={`/developer/requests/${encodeURIComponent(r.id)}`}>{r.id}</Link> },
          {
            title: t(texts.serviceField),
            key: 'service',
            render: (_, r) => (
              <>
                <div>{`${r.serviceCode} v${r.serviceVersion}`}</div>
                <Typography.Text type="secondary">{r.providerAgencyName ?? r.providerAgency}</Typography.Text>
              </>
            ),
          },
          { title: t(texts.systemLabel), dataIndex: 'consumerSystem' },
          { title: t(texts.state), key: 'state', render: (_, r) => <Tone tone={stateColor[r.state]}>{t(stateTexts[r.state])}</Tone> },
          { title: t(texts.nextActor), key: 'next', render: (_, r) => <NextActor request={r} /> },
          { title: t(texts.receivedAt), key: 'received', render: (_, r) => formatDate(r.receivedAt, lang) },
          { title: t(texts.dueAt), key: 'due', render: (_, r) => <Deadline request={r} /> },
        ]}
      />
    </>
  );
}

export function RequestDetail() {
  const t = useT();
  const { lang } = useLang();
  const { id = '' } = useParams();
  const location = useLocation();
  const { data, error, reload } = useQuery<{ accessRequest: AccessRequest | null }>(REQUEST_QUERY, { id });
  const [actionError, setActionError] = useState<unknown>();
  const [reported, setReported] = useState(false);
  const request = data?.accessRequest ?? undefined;
  async function reportIntegrated() {
    setActionError(undefined);
    try {
      await graphql(ACT_MUTATION, { id, action: 'REPORT_INTEGRATED' });
      setReported(true);
      reload();
    } catch (e) {
      setActionError(e);
    }
  }
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(texts.requestDetail)} {id}
      </Typography.Title>
      <ErrorAlert error={error} />
      {(location.state as { submitted?: boolean } | null)?.submitted === true && request !== undefined && (
        <Alert type="success" showIcon title={t(texts.submitted, { id, due: formatDate(request.dueAt, lang) })} style={{ marginBottom: 16 }} />
      )}
      {request !== undefined && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          {request.overdue && <Alert type="error" showIcon title={`${t(texts.overdue)}: ${t(texts.dueAt)} ${formatDate(request.dueAt, lang)}`} />}
          <Descriptions bordered size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label={t(texts.state)}>
              <Tone tone={stateColor[request.state]}>{t(stateTexts[request.state])}</Tone> <code>{request.state}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.nextActor)}>
              <NextActor request={request} />
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.receivedAt)}>{formatDate(request.receivedAt, lang)}</Descriptions.Item>
            <Descriptions.Item label={t(texts.dueAt)}>
              <Deadline request={request} />
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.approvals)}>
              {t(texts.providerApproved)}: {t(request.providerApproved ? texts.yes : texts.no)}; {t(texts.operatorApproved)}:{' '}
              {t(request.operatorApproved ? texts.yes : texts.no)}
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.serviceField)}>
              <Link to={`/developer/catalogue/${encodeURIComponent(request.serviceCode)}`}>{request.serviceCode}</Link> v{request.serviceVersion}
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.providerAgency)}>{agencyLabel(request.providerAgency, request.providerAgencyName)}</Descriptions.Item>
            <Descriptions.Item label={t(texts.consumerAgency)}>{agencyLabel(request.consumerAgency, request.consumerAgencyName)}</Descriptions.Item>
            <Descriptions.Item label={t(texts.consumerSystem)}>{request.consumerSystem}</Descriptions.Item>
            <Descriptions.Item label={t(texts.fieldSets)}>
              {request.fieldSets.map((f) => (
                <Tone key={f} tone="grey">
                  {f}
                </Tone>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.approvedFieldSets)}>
              {request.approvedFieldSets === null
                ? t(texts.notYetApproved)
                : request.approvedFieldSets.map((f) => (
                    <Tone key={f} tone="green">
                      {f}
                    </Tone>
                  ))}
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.purposesField)}>{request.purposes.join(', ')}</Descriptions.Item>
            <Descriptions.Item label={t(texts.legalBasis)}>{request.legalBasis}</Descriptions.Item>
            <Descriptions.Item label={t(texts.expectedRequestsPerDay)}>{request.expectedRequestsPerDay}</Descriptions.Item>
            <Descriptions.Item label={t(texts.quota)}>
              {request.quota ? t(texts.quotaValue, { n: request.quota.requests, s: request.quota.perSeconds }) : t(texts.none)}
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.validTo)}>{formatDate(request.validTo, lang)}</Descriptions.Item>
            {request.securityCommitment && (
              <Descriptions.Item label={t(texts.commitmentTitle)} span={2}>
                {request.securityCommitment.text} — {request.securityCommitment.signedBy}, {formatDate(request.securityCommitment.signedAt, lang)}
              </Descriptions.Item>
            )}
          </Descriptions>
          <Space wrap>
            {request.state === 'CHANGES_REQUESTED' && (
              <Link to={`/developer/requests/${encodeURIComponent(id)}/amend`}>
                <Button type="primary">{t(texts.amendAndResubmit)}</Button>
              </Link>
            )}
            {request.state === 'TESTING' && (
              <Button type="primary" onClick={() => void reportIntegrated()}>
                {t(texts.reportIntegrated)}
              </Button>
            )}
            {(request.state === 'TESTING' || request.state === 'INTEGRATION_REPORTED' || request.state === 'LIVE') && (
              <Link to="/developer/credentials">{t(texts.credentials)}</Link>
            )}
          </Space>
          {reported && <Alert type="success" showIcon title={t(texts.reportedIntegrated)} />}
          <ErrorAlert error={actionError} />
          <Typography.Title level={2} style={{ fontSize: 18 }}>
            {t(texts.history)}
          </Typography.Title>
          <Table
            size="small"
            rowKey={(h) => `${h.at}-${h.action}`}
            pagination={false}
            dataSource={request.history ?? []}
            caption={<span style={{ position: 'absolute', left: -10000 }}>{t(texts.historyCaption)}</span>}
            columns={[
              { title: t(texts.at), key: 'at', render: (_, h) => formatDate(h.at, lang) },
              { title: t(texts.action), dataIndex: 'action', render: (a: string) => <code>{a}</code> },
              { title: t(texts.party), key: 'party', render: (_, h) => partyText(h.party, t) },
              { title: t(texts.by), dataIndex: 'by' },
              { title: t(texts.fromTo), key: 'fromTo', render: (_, h) => `${h.from} → ${h.to}` },
              { title: t(texts.reason), key: 'reason', render: (_, h) => h.reason ?? '' },
              { title: t(texts.approvedFieldSets), key: 'fieldSets', render: (_, h) => h.fieldSets?.join(', ') ?? '' },
            ]}
          />
        </Space>
      )}
    </>
  );
}
