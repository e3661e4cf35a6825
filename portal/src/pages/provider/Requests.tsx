/**
 * Requests for the agency's services (registry `accessRequests`, those it provides): the ones awaiting its decision
 * first — overdue first, then by their working-day deadline — each opening the review page; then the others.
 */
import { Button, Card, Table, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { FieldSetTags } from '../agency/Services.tsx';
import { dateOnly } from '../agency/format.ts';
import { NoAgency, Page, ToneTag, useAgencyCode } from '../agency/Page.tsx';
import { requestStates } from '../agency/texts.ts';
import { agencyLabel, awaitsProvider, byDeadline, REQUEST_FIELDS, type AccessRequest } from './requests.ts';
import { texts } from './texts.ts';

export const REQUESTS_QUERY = /* GraphQL */ `
  query ProviderRequests {
    accessRequests {
      ${REQUEST_FIELDS}
    }
  }
`;

/**
 * The answer's due date (5 working days from receipt, as the registry counts them), whether it is overdue and the
 * working days left by the registry's calendar (`workingDaysLeft`).
 */
export function Deadline({ request }: { request: AccessRequest }) {
  const t = useT();
  const { lang } = useLang();
  if (request.dueAt === null) return <span>—</span>;
  const left = request.workingDaysLeft;
  const overdue = request.overdue || (left !== null && left < 0);
  return (
    <span>
      {dateOnly(request.dueAt, lang)} {overdue ? <ToneTag tone="error">{t(texts.overdue)}</ToneTag> : <ToneTag tone="processing">{t(texts.onTime)}</ToneTag>}
      {left === null ? null : (
        <Typography.Text type="secondary">
          {' '}
          {left < 0 ? t(texts.daysOverdue, { n: -left }) : left === 0 ? t(texts.dueToday) : t(texts.daysLeft, { n: left })}
        </Typography.Text>
      )}
    </span>
  );
}

export function StateTag({ state }: { state: string }) {
  const t = useT();
  const color = state === 'LIVE' || state === 'TESTING' ? 'success' : state === 'REJECTED' || state === 'CANCELLED' ? 'error' : 'processing';
  return <ToneTag tone={color}>{t(requestStates[state] ?? { vi: state, en: state })}</ToneTag>;
}

export function Requests() {
  const t = useT();
  const { lang } = useLang();
  const agency = useAgencyCode();
  const { data, error, loading, reload } = useQuery<{ accessRequests: AccessRequest[] | null }>(REQUESTS_QUERY, {}, { skip: agency === undefined });
  if (agency === undefined)
    return (
      <Page title={texts.requests}>
        <NoAgency />
      </Page>
    );
  const mine = (data?.accessRequests ?? []).filter((r) => r.providerAgency === agency);
  const awaiting = mine.filter(awaitsProvider).sort(byDeadline);
  const others = mine.filter((r) => !awaitsProvider(r)).sort((a, b) => (b.receivedAt ?? '').localeCompare(a.receivedAt ?? ''));
  const columns = [
    {
      title: t(texts.consumer),
      key: 'consumer',
      render: (_: unknown, r: AccessRequest) => (
        <>
          <div>{agencyLabel(r.consumerAgency, r.consumerAgencyName)}</div>
          <Typography.Text type="secondary">{r.consumerSystem}</Typography.Text>
        </>
      ),
    },
    { title: t(texts.service), key: 'service', render: (_: unknown, r: AccessRequest) => `${r.serviceCode} v${r.serviceVersion}` },
    { title: t(texts.fieldSets), dataIndex: 'fieldSets', render: (f: string[]) => <FieldSetTags names={f} /> },
    { title: t(texts.purposes), dataIndex: 'purposes', render: (p: string[]) => p.join(', ') },
    { title: t(texts.state), dataIndex: 'state', render: (s: string) => <StateTag state={s} /> },
    { title: t(texts.receivedAt), dataIndex: 'receivedAt', render: (v: string | null) => dateOnly(v, lang) },
    { title: t(texts.dueAt), key: 'due', render: (_: unknown, r: AccessRequest) => <Deadline request={r} /> },
    {
      title: t(texts.review),
      key: 'review',
      render: (_: unknown, r: AccessRequest) => (
        <Link
          to={`/provider/requests/${encodeURIComponent(r.id)}`}
          aria-label={`${t(texts.review)}: ${r.consumerAgencyName ?? r.consumerAgency} (${r.consumerAgency}) — ${r.serviceCode}`}
        >
          {t(texts.review)}
        </Link>
      ),
    },
  ];
  const h2 = (text: string) => (
    <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
      {text}
    </Typography.Title>
  );
  return (
    <Page title={texts.requests} intro={texts.requestsIntro} extra={<Button onClick={reload}>{t({ vi: 'Làm mới', en: 'Refresh' })}</Button>}>
      <ErrorAlert error={error} />
      <Card title={h2(t(texts.awaiting))}>
        <Table
          aria-label={t(texts.awaiting)}
          loading={loading}
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={awaiting}
          columns={columns}
          locale={{ emptyText: t(texts.none) }}
        />
      </Card>
      <Card title={h2(t(texts.others))}>
        <Table
          aria-label={t(texts.others)}
          loading={loading}
          rowKey="id"
          size="small"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={others}
          columns={columns}
          locale={{ emptyText: t(texts.none) }}
        />
      </Card>
    </Page>
  );
}
